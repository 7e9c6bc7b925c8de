"""The packet as PDF: its pages and its appendix laid out at once, then joined.

WeasyPrint lays out one document on one core. So the PDF is two documents, the pages a
facilitator puts on the table and the appendix (every item, every theme with its quotes),
and on a large packet each is laid out by a helper process of its own, at the same time,
while the packet process writes the other formats. pypdf joins them, keeping both outlines.
The appendix's pages are numbered A-1, A-2... (`packet.html.j2`), so no page number depends
on how long the other part turned out.

A helper is a fresh interpreter (`python -m analysis.packet_pdf --serve`), not a fork: a
fork of the packet process would count its million answers again in any measure of memory,
and the packet process itself never loads WeasyPrint for a large packet. `prestart` starts
the helpers early (the packet calls it once the themes are back, when the other core is
idle), so WeasyPrint's import and font set-up are done when the HTML is ready. If a helper
fails in any way, its part is laid out in the packet process: a slower PDF, never a
missing one. A small packet is laid out in the packet process, without helpers.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import resource
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import analysis
from analysis.peak_memory import peak_memory_mb

log = logging.getLogger(__name__)

PARALLEL_APPENDIX_ROWS = 120
"""From this many appendix table rows on (about a second of layout; starting a helper
costs about as much, mostly on the idle core), each part gets a helper process."""
HELPER_TIMEOUT_S = 600.0
"""How long a helper may take over one appendix before it is given up for lost."""
IDLE_TIMEOUT_S = 300.0
"""How long a prestarted helper waits for work before it exits on its own."""


@dataclass
class PdfStats:
    """What the PDF cost: seconds in all, and the helper's own peak memory and CPU."""

    seconds: float = 0.0
    helper_mb: float = 0.0
    helper_cpu_s: float = 0.0


def render_pdf(html: str, path: Path) -> Path:
    """Lay out one HTML document into `path`; nothing is fetched (charts are data URIs)."""
    from weasyprint import HTML

    HTML(string=html, base_url=None).write_pdf(path)
    return path


def join_pdfs(first: Path, second: Path, path: Path) -> Path:
    """`first` then `second` as one PDF at `path`, with both outlines (the PDF's bookmarks)."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=first)
    writer.append(second)
    with path.open("wb") as out:
        writer.write(out)
    return path


class PdfHelper:
    """A helper process that lays out one HTML file into a PDF when told which.

    It warms up first (imports WeasyPrint, sets up fonts), then reads one line from its
    standard input: the JSON job. The HTML itself goes through a file in a private
    temporary directory.
    """

    def __init__(self) -> None:
        root = str(Path(analysis.__file__).resolve().parent.parent)
        paths = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "analysis.packet_pdf", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        )

    def submit(self, html: Path, pdf: Path) -> bool:
        """Hand over a job; False if the helper is already gone."""
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps({"html": str(html), "pdf": str(pdf)}).encode())
            self._process.stdin.write(b"\n")
            self._process.stdin.flush()  # `wait` closes it
        except OSError:
            return False
        return True

    def wait(self, pdf: Path, stats: PdfStats) -> bool:
        """Whether the helper wrote `pdf`; its peak memory and CPU go in `stats`."""
        try:
            out, err = self._process.communicate(timeout=HELPER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.stop()
            log.warning("a PDF helper took too long; laying its part out here")
            return False
        if self._process.returncode != 0 or not pdf.exists():
            last = (err.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
            log.warning("a PDF helper failed (%s); laying its part out here", last[:200])
            return False
        try:
            measured = json.loads(out.decode("utf-8").strip().splitlines()[-1])
            stats.helper_mb += float(measured["peak_mb"])  # at the same time: they add up
            stats.helper_cpu_s += float(measured["cpu_s"])
        except (ValueError, KeyError, IndexError):
            pass
        return True

    def alive(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):  # a job it never read: a broken pipe
                    stream.close()


_warm: list[PdfHelper] = []


def prestart() -> None:
    """Start the helpers now, so they are warm when a large packet's HTML is ready (one
    per part; one nobody takes exits after `IDLE_TIMEOUT_S`, or with this process)."""
    while len(_warm) < len(PARTS) and (helper := _start()) is not None:
        _warm.append(helper)


def _start() -> PdfHelper | None:
    """A new helper; None on one core (no second core to lay out on) or if it cannot start."""
    if (os.cpu_count() or 1) < 2:
        return None
    try:
        return PdfHelper()
    except OSError as exc:
        log.warning("cannot start a PDF helper (%s); its part is laid out here", exc)
        return None


def _take_helper() -> PdfHelper | None:
    while _warm:
        helper = _warm.pop()
        if helper.alive():
            return helper
        helper.stop()  # a prestarted one that nobody took in time has exited
    return _start()


@atexit.register
def _stop_warm_helpers() -> None:
    while _warm:
        _warm.pop().stop()


PARTS = ("pages", "appendix")


class PendingPdf:
    """A packet PDF under way. A large one goes to the helpers at once, a part each, so
    whatever the caller writes next (the other formats) is written alongside them; a small
    one is laid out here, in `finish`."""

    def __init__(self, pages_html: str, appendix_html: str) -> None:
        self._started = time.perf_counter()
        self._tmp = tempfile.TemporaryDirectory(prefix="chorus-pdf-")
        folder = Path(self._tmp.name)
        self._parts = {"pages": pages_html, "appendix": appendix_html}
        self._pdfs = {part: folder / f"{part}.pdf" for part in PARTS}
        self._helpers: dict[str, PdfHelper] = {}
        if appendix_html.count("<tr") < PARALLEL_APPENDIX_ROWS:
            return
        for part, html in self._parts.items():
            helper = _take_helper()
            if helper is None:
                continue
            source = folder / f"{part}.html"
            source.write_text(html, encoding="utf-8")
            if helper.submit(source, self._pdfs[part]):
                self._helpers[part] = helper
            else:
                helper.stop()

    def finish(self, path: Path) -> PdfStats:
        """Take each part from its helper (laying out here any part without one, or whose
        helper failed) and join them at `path`."""
        stats = PdfStats()
        try:
            for part in PARTS:
                helper = self._helpers.pop(part, None)
                if helper is None or not helper.wait(self._pdfs[part], stats):
                    render_pdf(self._parts[part], self._pdfs[part])
            join_pdfs(self._pdfs["pages"], self._pdfs["appendix"], path)
        finally:
            self.close()
        stats.seconds = time.perf_counter() - self._started
        return stats

    def close(self) -> None:
        """Stop the helpers and remove the temporary files (after `finish`, or instead of it)."""
        while self._helpers:
            self._helpers.popitem()[1].stop()
        self._tmp.cleanup()


def _serve() -> int:
    """The helper: warm up, wait for one job on standard input, lay it out, report."""
    from weasyprint import HTML

    HTML(string="<p>.</p>").render()  # fonts and Pango set up before the job arrives
    ready, _, _ = select.select([sys.stdin], [], [], IDLE_TIMEOUT_S)
    line = sys.stdin.readline() if ready else ""
    if not line.strip():
        return 0  # nobody needed it
    job = json.loads(line)
    render_pdf(Path(job["html"]).read_text(encoding="utf-8"), Path(job["pdf"]))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"peak_mb": peak_memory_mb(), "cpu_s": cpu}))
    return 0


if __name__ == "__main__":
    raise SystemExit(_serve() if sys.argv[1:] == ["--serve"] else 2)
