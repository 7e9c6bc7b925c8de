"""The campaign link, its QR code and the printable bilingual flyer.

Staff print the flyer for a classroom wall or a take-home folder, so it has to
stand alone: one HTML file with the QR code inside it (no images beside it, no
web fonts), sized to fit both A4 and US Letter, in English and Spanish. Its texts
live in the catalog (`surveys/locales/<lang>/flyer.yaml`), its dates come from Babel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno
from jinja2 import Environment, PackageLoader, select_autoescape

from surveys.campaign_days import last_day
from surveys.definition import Survey
from surveys.i18n import format_day, t
from surveys.models import Campaign

BOT_USERNAME_PLACEHOLDER = "YOUR_BOT_USERNAME"
"""Stands in for `TELEGRAM_BOT_USERNAME` when it is unset, visibly enough to be noticed."""

FLYER_LANGUAGES = ("en", "es")
"""The flyer speaks these languages, each only if the survey is offered in it."""

_environment = Environment(
    loader=PackageLoader("bot", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class CampaignMaterials:
    """Where `write_campaign_materials` put a campaign's files."""

    directory: Path
    qr_png: Path
    flyer_html: Path


@dataclass(frozen=True)
class FlyerSection:
    """The flyer's text in one language."""

    language: str
    title: str
    heading: str
    invite: str
    time: str
    privacy: str
    action: str
    closes: str | None


def campaign_link(code: str, bot_username: str | None) -> str:
    """The deep link that opens the bot with the campaign code as the /start payload."""
    username = (bot_username or "").strip().lstrip("@") or BOT_USERNAME_PLACEHOLDER
    return f"https://t.me/{username}?start={code}"


def make_qr(link: str) -> segno.QRCode:
    # Medium error correction survives a folded or smudged printout at a small size.
    return segno.make(link, error="m", boost_error=False)


def flyer_sections(campaign: Campaign, survey: Survey, timezone: str = "UTC") -> list[FlyerSection]:
    """The flyer text in each flyer language the survey offers (English if it offers neither)."""
    languages = [lang for lang in FLYER_LANGUAGES if lang in survey.languages] or ["en"]
    sections = []
    for language in languages:
        who = t(f"flyer.who.{campaign.audience}", language, grade=campaign.grade)
        title = survey.title.get(language) or survey.title.get("en") or survey.id
        closes = None
        if campaign.closes_at is not None:
            # Campaigns close at midnight after their last day, where the organization is;
            # people need the last day.
            day = last_day(campaign.closes_at, timezone)
            closes = t("flyer.closes", language, date=format_day(day, language))
        organization, school = campaign.organization, campaign.school
        sections.append(
            FlyerSection(
                language=language,
                title=title,
                heading=t("flyer.heading", language),
                invite=t("flyer.invite", language, organization=organization, school=school,
                         who=who),
                time=t("flyer.time", language),
                privacy=t("flyer.privacy", language, organization=organization),
                action=t("flyer.action", language),
                closes=closes,
            )
        )  # fmt: skip
    return sections


def render_flyer(*, campaign: Campaign, survey: Survey, link: str, timezone: str = "UTC") -> str:
    """The flyer as one self-contained HTML page, the QR code inlined as an SVG data URI."""
    qr_uri = make_qr(link).svg_data_uri(scale=1, border=2, omitsize=True)
    return _environment.get_template("flyer.html").render(
        campaign=campaign,
        sections=flyer_sections(campaign, survey, timezone),
        link=link,
        qr_uri=qr_uri,
    )


def write_campaign_materials(
    *, campaign: Campaign, survey: Survey, link: str, out_dir: Path, timezone: str = "UTC"
) -> CampaignMaterials:
    """Write `<out_dir>/<code>/qr.png` and `flyer.html`, replacing earlier copies."""
    directory = Path(out_dir) / campaign.code
    directory.mkdir(parents=True, exist_ok=True)
    qr_png = directory / "qr.png"
    make_qr(link).save(str(qr_png), scale=10, border=4)
    flyer_html = directory / "flyer.html"
    flyer_html.write_text(
        render_flyer(campaign=campaign, survey=survey, link=link, timezone=timezone), "utf-8"
    )
    return CampaignMaterials(directory=directory, qr_png=qr_png, flyer_html=flyer_html)
