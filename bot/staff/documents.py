"""The files staff receive: exports, the facilitator packet, the workbook.

Files are made in a temporary directory and read back as bytes, which ride in
the outbox row (`Outgoing.send_document`). The packet is built outside any
database transaction (`build_packet`, run in a thread): it can take a while,
and no transaction or database thread should wait on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import Engine
from sqlmodel import Session

from bot.outgoing import MAX_FILE_BYTES

# `analysis` (pandas, matplotlib, WeasyPrint) is imported where a file is made, not here:
# the bot imports this module at start, and a restart after a crash must be quick.

EXPORT_FORMATS = ("csv", "xlsx")
REPORT_FORMATS: tuple[str, ...] = ("pdf", "html", "xlsx")
"""What `/report` sends: the packet to print, the same as a web page, and the workbook."""


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    kind: str
    """"packet" or "workbook" (which caption it gets), or the export's format."""

    @property
    def too_large(self) -> bool:
        return len(self.content) > MAX_FILE_BYTES


@dataclass(frozen=True)
class Exported:
    document: Document
    answers: int
    respondents: int


def export_document(session: Session, *, code: str, fmt: str) -> Exported:
    """One row per answer (never a chat id or a name), formula-safe, as CSV or XLSX."""
    from analysis.frames import load_responses
    from analysis.packet_export import for_export
    from analysis.spreadsheet import write_csv, write_xlsx

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    tidy = load_responses(session, campaign_codes=[code]).tidy()
    with TemporaryDirectory() as tmp:
        target = Path(tmp) / f"{code}.{fmt}"
        if fmt == "csv":
            write_csv(tidy, target)
        else:
            write_xlsx({"answers": for_export(tidy)}, target)
        content = target.read_bytes()
    return Exported(
        Document(target.name, content, fmt), len(tidy), int(tidy["respondent_id"].nunique())
    )


def build_packet(engine: Engine, *, codes: list[str], language: str, min_n: int) -> list[Document]:
    """The facilitator packet and workbook for `codes`, in `language`; ValueError on bad codes.

    Built in a thread of the bot, so a large packet's theme worker is spawned, not forked
    (`analysis.packet_themes.PendingThemes`).
    """
    from analysis.packet import build_report, write_outputs

    with Session(engine) as session:
        report = build_report(
            session, campaign_codes=codes, language=language, min_n=min_n, worker_start="spawn"
        )
    with TemporaryDirectory() as tmp:
        paths = write_outputs(report, Path(tmp), REPORT_FORMATS)
        found = [(paths.pdf, "packet"), (paths.html, "packet"), (paths.xlsx, "workbook")]
        return [Document(p.name, p.read_bytes(), kind) for p, kind in found if p is not None]
