# Sourced by .ci/run: install Debian's headless Chromium for the packet's print-layout test
# (tests/analysis/test_packet_pdf.py). If it cannot be installed, that one test skips with a
# reason; the PDF checks through WeasyPrint run either way.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ci: installing chromium from Debian"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "ci: chromium could not be installed; the browser layout test will skip"
fi
