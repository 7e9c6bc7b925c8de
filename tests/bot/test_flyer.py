from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import segno
from matplotlib import image
from sqlmodel import Session

from bot.flyer import (
    BOT_USERNAME_PLACEHOLDER,
    campaign_link,
    flyer_sections,
    render_flyer,
    write_campaign_materials,
)
from tests.factories import make_campaign, make_survey

NOW = datetime(2026, 3, 1, tzinfo=UTC)
LINK = "https://t.me/chorus_test_bot?start=abcDEF123_-xyz00"


def _campaign(session: Session, **overrides):
    fields = {
        "organization": "Bridges & Co",
        "school": "Lincoln Middle School",
        "grade": "7",
        "audience": "caregiver",
        "closes_at": datetime(2026, 3, 16, tzinfo=UTC),  # last day: March 15
        "now": NOW,
    }
    fields.update(overrides)
    return make_campaign(session, survey=make_survey(audience="any"), **fields)


def test_campaign_link_is_a_telegram_deep_link() -> None:
    assert campaign_link("abc", "chorus_bot") == "https://t.me/chorus_bot?start=abc"
    assert campaign_link("abc", "@chorus_bot") == "https://t.me/chorus_bot?start=abc"
    assert campaign_link("abc", None) == f"https://t.me/{BOT_USERNAME_PLACEHOLDER}?start=abc"
    assert campaign_link("abc", "  ") == f"https://t.me/{BOT_USERNAME_PLACEHOLDER}?start=abc"


def test_sections_say_who_it_is_for_and_the_last_day_in_both_languages(
    session: Session,
) -> None:
    en, es = flyer_sections(_campaign(session), make_survey())
    assert en.invite == (
        "Bridges & Co and Lincoln Middle School want to hear from families and caregivers "
        "of students in grade 7."
    )
    assert es.invite == (
        "Bridges & Co y Lincoln Middle School quieren escuchar a familias y cuidadores "
        "de estudiantes del grado 7."
    )
    assert en.closes == "Open until March 15, 2026."
    assert es.closes == "Abierta hasta el 15 de marzo de 2026."
    assert (en.title, es.title) == ("Test survey", "Encuesta de prueba")
    assert "5 minutes" in en.time and "5 minutos" in es.time
    assert en.privacy.startswith("Confidential, not anonymous")
    assert es.privacy.startswith("Confidencial, no anónima")


def test_only_languages_the_survey_offers(session: Session) -> None:
    survey = make_survey(languages=("en",))
    campaign = _campaign(session, default_language="en")
    assert [s.language for s in flyer_sections(campaign, survey)] == ["en"]


def test_flyer_is_self_contained_with_the_link_and_qr_inline(session: Session) -> None:
    html = render_flyer(campaign=_campaign(session), survey=make_survey(), link=LINK)
    assert html.count(LINK) == 2  # printed, and as the QR code's alt text
    assert "Bridges &amp; Co" in html  # escaped, not raw
    assert "Bridges & Co" not in html
    assert "@page" in html and "186mm" in html  # fits A4 and Letter
    # Nothing is fetched: no external stylesheets, scripts, fonts or images.
    assert not re.search(r"""(href|src)=["'](https?:|//|/|\.)""", html)
    uri = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', html)
    assert uri is not None
    assert uri.group(1) == segno.make(LINK, error="m", boost_error=False).svg_data_uri(
        scale=1, border=2, omitsize=True
    )
    assert "<svg" in unquote(uri.group(1))
    assert 'lang="en"' in html and 'lang="es"' in html
    assert "Scan the QR code" in html and "Escanee el código QR" in html


def test_write_campaign_materials_writes_a_qr_png_of_the_link(
    session: Session, tmp_path: Path
) -> None:
    campaign = _campaign(session)
    materials = write_campaign_materials(
        campaign=campaign, survey=make_survey(), link=LINK, out_dir=tmp_path
    )
    assert materials.directory == tmp_path / campaign.code
    assert materials.qr_png == tmp_path / campaign.code / "qr.png"
    assert materials.flyer_html.read_text("utf-8").count(LINK) == 2
    # Read the PNG back and compare its modules with the QR symbol of the link.
    pixels = image.imread(materials.qr_png)
    gray = pixels if pixels.ndim == 2 else pixels[..., 0]
    expected = np.array(segno.make(LINK, error="m", boost_error=False).matrix, dtype=bool)
    scale, border = 10, 4
    size = expected.shape[0]
    assert gray.shape == ((size + 2 * border) * scale,) * 2
    sampled = gray[border * scale + scale // 2 :: scale, border * scale + scale // 2 :: scale]
    dark = sampled[:size, :size] < 0.5
    assert (dark == expected).all()
    assert base64.b64encode(materials.qr_png.read_bytes()[:8]) == b"iVBORw0KGgo="  # PNG magic


def test_the_last_day_is_read_in_the_organizations_timezone(session: Session) -> None:
    """Stored in UTC, a New York campaign ending on 15 March closes at 04:00 UTC on the
    16th; the flyer must still say the 15th."""
    campaign = _campaign(session, closes_at=datetime(2026, 3, 16, 4, 0, tzinfo=UTC))
    en, _ = flyer_sections(campaign, make_survey(), "America/New_York")
    assert en.closes == "Open until March 15, 2026."
    en_utc, _ = flyer_sections(campaign, make_survey())
    assert en_utc.closes == "Open until March 16, 2026."
