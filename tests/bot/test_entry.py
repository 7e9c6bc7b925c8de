"""Joining a campaign: deep links, consent, language, one response per person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.callback_data import verify
from surveys.i18n import t
from surveys.models import Campaign, Contact, Respondent, RespondentStatus
from tests.bot.conftest import Chat, count_rows, join, offline_settings, respondent_of
from tests.factories import make_campaign, make_respondent


def _campaign(engine: Engine, **overrides: object) -> Campaign:
    with Session(engine, expire_on_commit=False) as session:
        campaign = make_campaign(session, **overrides)
        session.commit()
        return campaign


async def test_a_valid_link_asks_for_the_language_first(chat: Chat, campaign: Campaign) -> None:
    await chat.send(f"/start {campaign.code}")
    # Asked in every language offered, since the bot cannot know yet which one they read.
    assert chat.texts()[0].splitlines()[0] == t("language.prompt", "en")
    assert len(chat.texts()[0].splitlines()) == 2
    assert chat.latest().labels == ["English", "Español"]
    data = chat.latest().data_for("Español")
    assert verify(data, chat_id=chat.chat_id, key=offline_settings().callback_key()) == (
        f"l:{campaign.id}:es"
    )


async def test_an_unknown_code_says_so_and_stores_nothing(chat: Chat, engine: Engine) -> None:
    await chat.send("/start NoSuchCode123")
    assert chat.texts() == [t("bot.join.unknown_code", "en")]
    assert count_rows(engine, Respondent) == 0


async def test_a_malformed_payload_is_an_unknown_code(chat: Chat) -> None:
    await chat.send("/start <script>")
    assert chat.texts() == [t("bot.join.unknown_code", "en")]


async def test_a_closed_campaign_says_it_is_closed(chat: Chat, engine: Engine) -> None:
    closed = _campaign(engine, status="closed")
    await chat.send(f"/start {closed.code}")
    assert chat.texts() == [t("bot.join.closed", "en")]
    assert count_rows(engine, Respondent) == 0


async def test_a_campaign_not_yet_open_says_to_come_back(chat: Chat, engine: Engine) -> None:
    now = datetime.now(UTC)
    later = _campaign(engine, opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9))
    await chat.send(f"/start {later.code}")
    assert chat.texts() == [t("bot.join.not_yet_open", "en")]


async def test_the_closed_message_follows_the_client_language(
    app: object, offline: object, engine: Engine
) -> None:
    closed = _campaign(engine, status="closed")
    spanish = Chat(app, offline, 5002, language_code="es-MX")  # type: ignore[arg-type]
    await spanish.send(f"/start {closed.code}")
    assert spanish.texts() == [t("bot.join.closed", "es@formal")]
    assert "su interés" in spanish.texts()[0]


async def test_bare_start_explains_how_to_join(chat: Chat) -> None:
    await chat.send("/start")
    assert chat.texts() == [t("bot.join.how_to_join", "en")]
    assert "ask" in chat.texts()[0]


async def test_consent_names_the_organization_and_the_limits(
    chat: Chat, campaign: Campaign
) -> None:
    await chat.send(f"/start {campaign.code}")
    await chat.tap("English")
    consent = chat.texts()[0]
    assert "Bridges Tutoring" in consent
    assert "confidential, but not anonymous" in consent
    assert "/delete" in consent
    assert "a designated adult at Bridges Tutoring is told" in consent
    assert chat.latest().labels == ["Start", "No thanks"]


async def test_declining_stores_nothing_but_the_count(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await chat.send(f"/start {campaign.code}")
    await chat.tap("English")
    await chat.tap("No thanks")
    assert chat.texts() == [t("declined.text", "en")]
    assert count_rows(engine, Respondent) == 0
    assert count_rows(engine, Contact) == 0
    with Session(engine) as session:
        stored = session.get(Campaign, campaign.id)
        assert stored is not None
        assert stored.declined_count == 1


async def test_start_tapped_after_declining_joins_afresh(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await chat.send(f"/start {campaign.code}")
    await chat.tap("English")
    consent = chat.latest("Start")
    await chat.tap("No thanks")
    await chat.tap("Start", on=consent)
    assert chat.texts() == [t("role.prompt", "en")]
    respondent = respondent_of(engine, chat.chat_id)
    assert respondent is not None
    assert respondent.status == RespondentStatus.ROLE


async def test_spanish_is_spoken_from_the_language_choice_on(
    chat: Chat, campaign: Campaign
) -> None:
    await chat.send(f"/start {campaign.code}")
    await chat.tap("Español")
    assert "confidenciales, pero no anónimas" in chat.texts()[0]
    assert chat.latest().labels == ["Empezar", "No, gracias"]
    await chat.tap("Empezar")
    await chat.tap("Soy estudiante")
    assert chat.texts() == ["1/7\nMe siento bienvenido."]


async def test_start_again_mid_survey_resumes_at_the_current_question(
    chat: Chat, campaign: Campaign
) -> None:
    await join(chat, campaign)
    await chat.tap("Agree")
    await chat.send(f"/start {campaign.code}")
    assert chat.texts() == ["2/7\nI feel left out."]
    await chat.send("/start")
    assert chat.texts() == ["2/7\nI feel left out."]


async def test_one_response_per_person_per_campaign(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        make_respondent(
            session, campaign=campaign, chat_id=chat.chat_id, started_at=datetime.now(UTC)
        )
        session.commit()
    await chat.send(f"/start {campaign.code}")
    assert chat.texts() == [t("bot.join.already_answered", "en")]
    assert count_rows(engine, Respondent) == 1
