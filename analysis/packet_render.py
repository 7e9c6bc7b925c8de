"""The packet as HTML (one self-contained page) and Markdown, and the HTML the PDF is made of.

The PDF (`analysis.packet_pdf`) is WeasyPrint's rendering of the same template, in two
parts, so the print CSS in the template is the one layout: each station on its own page,
headings kept with what follows them, table rows never split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from analysis.locales import text
from analysis.packet_model import Report
from analysis.scoring import ALPHA_MIN_CASES

_ENV = Environment(
    loader=PackageLoader("analysis", "templates"),
    autoescape=select_autoescape(["html", "j2"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_MD_ENV = Environment(
    loader=PackageLoader("analysis", "templates"),
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _md_cell(value: object) -> str:
    """Respondents' words end up in table cells: keep them from becoming markup."""
    return (
        str(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("\n", "<br>")
    )


_MD_ENV.filters["cell"] = _md_cell


def _words(language: str) -> dict[str, Any]:
    """The catalog, plus its lists (ground rules, agenda...) split for the templates."""
    lists = ("rules", "agenda", "run_stations", "closing", "station_prompts")
    return {
        "t": lambda key, **kw: text(key, language, **kw),
        "lists": {key: text(key, language).split("|") for key in lists},
        "method": text("method", language, alpha_min=ALPHA_MIN_CASES),
    }


def _context(reports: Sequence[Report]) -> dict[str, Any]:
    first = reports[0]
    return {
        "r": first,
        "reports": [{"r": r, **_words(r.language)} for r in reports],
        "lang": "+".join(r.language for r in reports),
        "bilingual": len(reports) > 1,
        "action_rows": 6,
        **_words(first.language),
    }


def render_html(report: Report, *others: Report) -> str:
    """The packet as one self-contained HTML page (charts are data URIs; CSS is inline).

    Given more reports (the same packet in other languages), every page shows them side
    by side, for a room that reads more than one language.
    """
    return _ENV.get_template("packet.html.j2").render(**_context([report, *others]), part="all")


def render_pdf_parts(report: Report, *others: Report) -> tuple[str, str]:
    """The packet's pages and its appendix as two HTML documents, for `analysis.packet_pdf`."""
    template = _ENV.get_template("packet.html.j2")
    context = _context([report, *others])
    return template.render(**context, part="pages"), template.render(**context, part="appendix")


def render_markdown(report: Report) -> str:
    """The same packet in Markdown, for pasting into e-mail or a wiki (no charts)."""
    return _MD_ENV.get_template("packet.md.j2").render(**_context([report]))
