"""The printed packet: a demo-sized data walk laid out as a facilitator would print it.

Checked on WeasyPrint's own page layout (the PDF we ship) and, where Debian's chromium is
installed, on a real headless browser's print of the same HTML:
- no heading is the last thing on a page (orphaned from what it introduces);
- no table row is split across two pages;
- at most 12 pages before the appendix.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from analysis import packet_pdf
from analysis.packet import Report, build_report, render_html, write_outputs
from surveys.definition import Question, QuestionType, Survey
from surveys.loader import builtin_surveys
from surveys.models import Answer, Campaign, Respondent, SurveyRecord
from tests.analysis.seeding import T0

HEADINGS = {"h1", "h2", "h3"}
MAX_PAGES = 12
COMMENTS = [
    "More clubs and sports after school, and a late bus so we can stay.",
    "I want to go to college but I do not know how to pay for it.",
    "Teachers who explain again when we do not understand.",
    "Que expliquen más despacio y con ejemplos, por favor.",
    "Quiero ir a la universidad pero no sé cómo aplicar a una beca.",
    "Tutoring at lunch would help me a lot with math.",
    "Más clubes de arte y música que no cuesten dinero.",
    "Better communication with families about grades and homework.",
]


def _value(question: Question, rng: random.Random) -> tuple[str | None, str | None]:
    kind = question.type
    if kind == QuestionType.LIKERT:
        return str(rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5])), None
    if kind == QuestionType.SINGLE_CHOICE:
        return rng.choice([o.id for o in question.options]), None
    if kind == QuestionType.MULTI_CHOICE:
        return json.dumps(rng.sample([o.id for o in question.options], 2)), None
    if kind == QuestionType.YES_NO:
        return rng.choice(["yes", "no"]), None
    if kind == QuestionType.NUMBER:
        return str(rng.randint(1, 4)), None
    return None, rng.choice(COMMENTS)


def _seed_survey(session: Session, survey: Survey, code: str, people: int, seed: int) -> None:
    record = SurveyRecord(
        survey_id=survey.id,
        version=survey.version,
        version_hash=survey.version_hash,
        title=survey.title["en"],
        definition=survey.canonical_json(),
        created_at=T0,
    )
    session.add(record)
    session.flush()
    audience = "caregiver" if "caregiver" in survey.id else "student"
    campaign = Campaign(
        code=code,
        survey_pk=record.id,
        organization="Org",  # type: ignore[arg-type]
        school="Lincoln Middle School",
        grade="7",
        audience=audience,
        default_language="en",
        opens_at=T0,
        roster_size=people * 5,
        created_at=T0,
    )
    session.add(campaign)
    session.flush()
    rng = random.Random(seed)
    for i in range(people):
        person = Respondent(
            campaign_id=campaign.id,
            role=audience,  # type: ignore[arg-type]
            language="es" if i % 2 else "en",
            status="completed",
            started_at=T0,
            updated_at=T0,
            completed_at=T0,
        )
        session.add(person)
        session.flush()
        for question in survey.questions:
            value, words = _value(question, rng)
            session.add(
                Answer(
                    respondent_id=person.id,
                    question_id=question.id,
                    value=value,
                    text=words,
                    answered_at=datetime(2026, 3, 2, tzinfo=UTC),
                )
            )
    session.flush()


@pytest.fixture
def demo_sized(analysis_session: Session) -> Iterator[Session]:
    """The three built-in surveys with 20 people each, like `chorus demo`."""
    for k, survey in enumerate(builtin_surveys()):
        _seed_survey(analysis_session, survey, f"D{k}", 20, seed=k)
    analysis_session.commit()
    yield analysis_session


@pytest.fixture
def packet_html(demo_sized: Session) -> str:
    codes = [f"D{k}" for k in range(len(builtin_surveys()))]
    return render_html(build_report(demo_sized, campaign_codes=codes))


def _boxes(box: object, in_heading: bool = False) -> Iterator[tuple[object, bool]]:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):  # the page number
        return
    tag = getattr(box, "element_tag", "")
    in_heading = in_heading or tag in HEADINGS
    yield box, in_heading
    for child in getattr(box, "children", []):
        yield from _boxes(child, in_heading)


def _last_text_is_heading(page: object) -> bool:
    from weasyprint.formatting_structure import boxes

    texts = [(b.position_y + b.height, h) for b, h in _boxes(page) if isinstance(b, boxes.TextBox)]
    return bool(texts) and max(texts, key=lambda t: t[0])[1]


def _body_rows(box: object, found: set[int] | None = None) -> set[int]:
    """The table rows on a page, leaving out header rows (repeated on each page on purpose)."""
    from weasyprint.formatting_structure import boxes

    found = set() if found is None else found
    if isinstance(box, boxes.TableRowGroupBox) and box.is_header:
        return found
    if isinstance(box, boxes.TableRowBox):
        found.add(id(box.element))
    for child in getattr(box, "children", []):
        _body_rows(child, found)
    return found


def test_weasyprint_layout_keeps_headings_and_rows_whole(packet_html: str) -> None:
    _assert_headings_and_rows_whole(packet_html)


def _assert_headings_and_rows_whole(packet_html: str) -> None:
    from weasyprint import HTML

    pages = [p._page_box for p in HTML(string=packet_html).render().pages]
    orphaned = [i + 1 for i, page in enumerate(pages) if _last_text_is_heading(page)]
    assert orphaned == []
    seen: dict[int, int] = {}
    split = []
    for number, page in enumerate(pages, start=1):
        for row in _body_rows(page):
            if row in seen:
                split.append((seen[row], number))
            seen[row] = number
    assert split == []


def _pages_before_appendix(pdf: Path) -> tuple[int, int]:
    pages = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    appendix = next(i for i, words in enumerate(pages) if "Appendix: the full tables" in words)
    return appendix, len(pages)


def test_the_demo_sized_pdf_is_at_most_12_pages_before_the_appendix(
    demo_sized: Session, tmp_path: Path
) -> None:
    codes = [f"D{k}" for k in range(len(builtin_surveys()))]
    report = build_report(demo_sized, campaign_codes=codes)
    paths = write_outputs(report, tmp_path, ("pdf",))
    assert paths.pdf is not None
    before, total = _pages_before_appendix(paths.pdf)
    assert 5 + 4 <= before <= MAX_PAGES  # cover, guide, 5+ stations, themes, action planning
    assert total > before


def test_the_bilingual_pdf_is_at_most_12_pages_before_the_appendix(
    demo_sized: Session, tmp_path: Path
) -> None:
    """`--language en+es`: both languages side by side on the same pages, not twice as many.

    Side by side, every column is half as wide, so the theme and aspirations tables grow
    taller; they must still fit one page each, with no heading orphaned and no row split.
    """
    codes = [f"D{k}" for k in range(len(builtin_surveys()))]
    english, spanish = (
        build_report(demo_sized, campaign_codes=codes, language=lang) for lang in ("en", "es")
    )
    paths = write_outputs(english, tmp_path, ("pdf", "html"), spanish)
    assert paths.pdf is not None and paths.html is not None
    before, total = _pages_before_appendix(paths.pdf)
    assert 5 + 4 <= before <= MAX_PAGES
    assert total > before
    _assert_headings_and_rows_whole(paths.html.read_text(encoding="utf-8"))


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_a_real_headless_browser_prints_it_within_12_pages(
    packet_html: str, tmp_path: Path
) -> None:
    page = tmp_path / "packet.html"
    page.write_text(packet_html, encoding="utf-8")
    pdf = tmp_path / "browser.pdf"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    before, _ = _pages_before_appendix(pdf)
    assert before <= MAX_PAGES
    orphaned = [n for n, page in enumerate(PdfReader(pdf).pages, 1) if _ends_on_a_heading(page)]
    assert orphaned == []


HEADING_PT = 11.0
"""Body text is 10 pt and tables 8.5 pt; headings and station headlines are 11 pt or more."""
FOOTER_PT = 42.0
"""The bottom margin (15 mm), where the page number sits."""


def _ends_on_a_heading(page: object) -> bool:
    """Whether the lowest text on a PDF page (above the footer) is set at a heading's size."""
    found: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            scale = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
            y = tm[5] * cm[3] + cm[5]
            if y > FOOTER_PT:
                found.append((y, size * scale))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return bool(found) and min(found)[1] >= HEADING_PT


# The PDF as two documents (`analysis.packet_pdf`): the pages, and the appendix laid out by
# a helper process when it is large, numbered ... and joined with both outlines.


def _footers(pdf: Path) -> list[str]:
    """The last line of text on each page: the page number in the footer."""
    return [(page.extract_text() or "").strip().splitlines()[-1] for page in PdfReader(pdf).pages]


def _outline_titles(pdf: Path) -> list[str]:
    return [item.title for item in PdfReader(pdf).outline if not isinstance(item, list)]


@pytest.fixture
def demo_report(demo_sized: Session) -> Report:
    return build_report(demo_sized, campaign_codes=[f"D{k}" for k in range(3)])


def test_appendix_pages_are_numbered_apart_from_the_packet_pages(
    demo_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packet_pdf, "PARALLEL_APPENDIX_ROWS", 10**9)  # no helper
    pdf = write_outputs(demo_report, tmp_path, ("pdf",)).pdf
    assert pdf is not None
    before, total = _pages_before_appendix(pdf)
    footers = _footers(pdf)
    assert footers[:before] == [str(n) for n in range(1, before + 1)]
    assert footers[before:] == [f"A-{n}" for n in range(1, total - before + 1)]
    assert _outline_titles(pdf)[-1] == "Appendix: the full tables"
    assert demo_report.timings["pdf_helper_mb"] == 0.0  # laid out here


def test_a_large_appendix_is_laid_out_by_a_helper_with_the_same_result(
    demo_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packet_pdf, "PARALLEL_APPENDIX_ROWS", 10**9)
    here = write_outputs(demo_report, tmp_path / "here", ("pdf",)).pdf
    monkeypatch.setattr(packet_pdf, "PARALLEL_APPENDIX_ROWS", 1)
    packet_pdf.prestart()  # as the packet does for a large report; the next PDF takes it
    helped = write_outputs(demo_report, tmp_path / "helped", ("pdf",)).pdf
    assert here is not None and helped is not None
    assert demo_report.timings["pdf_helper_mb"] > 0  # the helper reported its own peak
    assert packet_pdf._warm == []  # the prestarted helpers were taken
    texts = [[p.extract_text() for p in PdfReader(f).pages] for f in (here, helped)]
    assert texts[0] == texts[1]
    assert _outline_titles(here) == _outline_titles(helped)


def test_a_helper_that_fails_costs_time_not_the_appendix(
    demo_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packet_pdf, "PARALLEL_APPENDIX_ROWS", 1)
    monkeypatch.setattr(packet_pdf.sys, "executable", shutil.which("false") or "/bin/false")
    pdf = write_outputs(demo_report, tmp_path, ("pdf",)).pdf
    assert pdf is not None
    before, total = _pages_before_appendix(pdf)
    assert total > before
    assert _footers(pdf)[before] == "A-1"
    assert demo_report.timings["pdf_helper_mb"] == 0.0  # the appendix was laid out here


def test_the_pdf_leaves_no_temporary_files(
    demo_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(packet_pdf, "PARALLEL_APPENDIX_ROWS", 1)
    write_outputs(demo_report, tmp_path / "out", ("pdf",))
    assert list(scratch.iterdir()) == []
