"""Simulated respondents: the bundled answers, the personas, and behaviour through the bot."""

from __future__ import annotations

import asyncio
import random
import re
import statistics
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.simulation.fake_bot_api import FakeBotApi
from bot.simulation.respondents import (
    GivenAnswer,
    Persona,
    RespondentResult,
    SimulatedRespondent,
    SimulationReport,
    _likert,
    _number_range,
    load_demo_answers,
    make_persona,
    polling_bot,
)
from surveys.models import Answer, Contact, Respondent
from surveys.safeguarding import assess
from tests.factories import make_campaign

THEMES = {
    "belonging",
    "safety",
    "teaching",
    "communication",
    "technology",
    "transportation",
    "childcare",
    "food",
    "health",
    "tutoring",
    "enrichment",
    "college",
    "careers",
    "trades",
}


def test_the_bank_covers_every_theme_role_and_language() -> None:
    bank = load_demo_answers()
    assert set(bank.themes) == THEMES
    for theme, by_role in bank.themes.items():
        for role in ("student", "caregiver"):
            for language in ("en", "es"):
                assert len(by_role[role][language]) >= 3, (theme, role, language)
    answers = bank.all_answers()
    assert len(set(answers)) >= 120
    assert len(set(answers)) == len(answers)


def test_the_bank_gives_de_identification_work_to_do() -> None:
    answers = load_demo_answers().all_answers()
    names = [a for a in answers if re.search(r"\b(Ms|Mr|Mrs|Coach)\.? [A-Z][a-z]+", a)]
    names += [a for a in answers if re.search(r"\b(maestra|señora|Sr\.) [A-Z]", a)]
    phones = [a for a in answers if re.search(r"\b555-\d{3}-\d{4}\b", a)]
    emails = [a for a in answers if re.search(r"\b[\w.]+@example\.(com|org)\b", a)]
    assert len(names) >= 8
    assert len(phones) >= 3
    assert len(emails) >= 1


def test_only_the_safeguarding_answers_trip_the_detector() -> None:
    bank = load_demo_answers()
    disclosures = [
        text
        for by_language in bank.safeguarding.values()
        for texts in by_language.values()
        for text in texts
    ]
    assert len(disclosures) >= 4
    assert all(assess(text).flagged for text in disclosures), [
        t for t in disclosures if not assess(t).flagged
    ]
    assert [a for a in bank.all_answers() if assess(a).flagged] == []


def test_questions_pick_themes_by_their_words() -> None:
    bank = load_demo_answers()
    assert "communication" in bank.themes_for("What would make the report card easier?")
    spanish = bank.themes_for("¿Qué podría hacer tu escuela para ayudarte a planear tu futuro?")
    assert {"college"} <= set(spanish)
    assert "food" not in spanish
    assert sorted(bank.themes_for("Anything else?")) == sorted(THEMES)


def test_picked_answers_fit_role_and_language() -> None:
    bank = load_demo_answers()
    rng = random.Random(1)
    for _ in range(50):
        text = bank.pick(rng, question="How is the bus?", role="caregiver", language="es")
        assert text in bank.themes["transportation"]["caregiver"]["es"]


def test_personas_are_deterministic_and_varied() -> None:
    first = make_persona(seed=5, index=3, role="student", chat_id=10)
    assert first == make_persona(seed=5, index=3, role="student", chat_id=10)
    people = [make_persona(seed=5, index=i, role="any", chat_id=i) for i in range(300)]
    assert {p.role for p in people} == {"student", "caregiver"}
    spanish = sum(p.language == "es" for p in people) / len(people)
    assert 0.3 < spanish < 0.6  # drawn with probability 0.45
    assert any(p.back_after for p in people)
    assert any(p.pause_after for p in people)
    assert any(p.discloses for p in people)
    assert all(-1.0 <= p.disposition <= 1.0 for p in people)
    other_seed = [make_persona(seed=6, index=i, role="any", chat_id=i) for i in range(300)]
    assert other_seed != people
    pinned = make_persona(seed=5, index=1, role="caregiver", chat_id=1, language="en")
    assert (pinned.role, pinned.language) == ("caregiver", "en")


def test_disposition_shifts_likert_answers() -> None:
    rng = random.Random(0)
    happy = [int(_likert(rng, 0.9, False)) for _ in range(3000)]
    unhappy = [int(_likert(rng, -0.9, False)) for _ in range(3000)]
    neutral = [int(_likert(rng, 0.0, False)) for _ in range(3000)]
    # Weights exp(1.17 * (k - 3)) for k = 1..5 are 0.096, 0.310, 1, 3.222, 10.381:
    # the expected answer is 68.50 / 15.01 = 4.56, and 6 - 4.56 = 1.44 mirrored.
    assert statistics.mean(happy) == pytest.approx(4.56, abs=0.08)
    assert statistics.mean(unhappy) == pytest.approx(1.44, abs=0.08)
    assert statistics.mean(neutral) == pytest.approx(3.0, abs=0.1)
    assert "not_sure" in {_likert(rng, 0.0, True) for _ in range(500)}


def test_number_hints_are_read_in_both_languages() -> None:
    assert _number_range("Type a number from 0 to 20 and send it as a message.") == (0, 20)
    assert _number_range("Escribe un número del 1 al 5 y envíalo como mensaje.") == (1, 5)
    assert _number_range("Type a number (3 or more) and send it as a message.") == (3, 13)
    assert _number_range("Escribe un número (40 o menos) y envíalo como mensaje.") == (30, 40)
    assert _number_range("Type a number and send it as a message.") == (0, 10)


def _result(index: int, *, completed: bool, declined: bool = False) -> RespondentResult:
    persona = make_persona(seed=1, index=index, role="student", chat_id=index)
    return RespondentResult(
        persona=persona, campaign_code="c", completed=completed, declined=declined
    )


def test_the_report_adds_up() -> None:
    a = _result(0, completed=True)
    a.answers = {"b1": GivenAnswer(value="4"), "o1": GivenAnswer(text="More clubs")}
    a.disclosed = True
    b = _result(1, completed=False, declined=True)
    c = _result(2, completed=False)
    c.answers = {"b1": GivenAnswer(skipped=True)}
    c.errors = ["StuckError: the bot keeps showing message 9"]
    report = SimulationReport(results=[a, b, c], seconds=2.0)
    assert (report.respondents, report.completed, report.declined) == (3, 1, 1)
    assert (report.answers, report.text_answers, report.disclosures) == (3, 1, 1)
    assert report.errors == ["respondent 2: StuckError: the bot keeps showing message 9"]
    assert report.summary().startswith("3 simulated respondents in 2.0s: 1 completed, 1 declined")


# ---- through the real bot


@pytest.fixture
def codes(engine: Engine) -> Iterator[dict[str, str]]:
    with Session(engine, expire_on_commit=False) as session:
        made = {
            "aspirations": make_campaign(session, survey_id="student-aspirations").code,
            "aspirations-2": make_campaign(session, survey_id="student-aspirations").code,
        }
        session.commit()
    yield made


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token="6060:SIM") as server:
        yield server


def _everything(chat_id: int, *, language: str = "en") -> Persona:
    return Persona(
        index=0,
        chat_id=chat_id,
        first_name="Sam",
        role="student",
        language=language,
        app_language=language,
        disposition=0.2,
        skip_probability=0.0,
        back_after=4,  # after the disclosure (question 2), so going back cannot replace it
        pause_after=3,
        invalid_number_first=True,
        discloses=True,
    )


async def test_a_respondent_goes_back_pauses_mistypes_and_discloses(
    api: FakeBotApi, engine: Engine, codes: dict[str, str]
) -> None:
    chat_id = 4401
    person = SimulatedRespondent(
        api, _everything(chat_id), campaign_code=codes["aspirations"], seed=2
    )
    async with polling_bot(api, engine):
        result = await asyncio.wait_for(person.run(), 60)

    assert result.errors == []
    assert result.completed
    assert result.went_back and result.paused and result.disclosed
    assert result.invalid_numbers == 1
    transcript = api.transcript(chat_id)
    user_says = [e.text for e in transcript if e.direction == "user"]
    assert "/stop" in user_says
    assert "a few" in user_says  # the invalid number, before the valid one
    assert any(e.text in {"Back"} for e in transcript if e.kind == "callback")

    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.chat_id == chat_id)).one()
        respondent = session.get(Respondent, contact.respondent_id)
        answers = session.exec(
            select(Answer).where(Answer.respondent_id == contact.respondent_id)
        ).all()
    assert respondent is not None and respondent.status == "completed"
    flagged = [a for a in answers if a.flagged]
    assert len(flagged) == 1
    assert flagged[0].text in [
        t for texts in load_demo_answers().safeguarding["student"].values() for t in texts
    ]
    number = next(a for a in answers if a.question_id == "adults")
    assert 0 <= int(number.value or "-1") <= 20
    bot_says = "\n".join(m.text for m in api.messages(chat_id))
    assert "988" in bot_says  # the crisis reply came


async def test_the_same_persona_and_seed_give_the_same_answers(
    api: FakeBotApi, engine: Engine, codes: dict[str, str]
) -> None:
    def person(chat_id: int, code: str) -> SimulatedRespondent:
        persona = _everything(chat_id, language="es")
        return SimulatedRespondent(api, persona, campaign_code=code, seed=9)

    one, two = person(4501, codes["aspirations"]), person(4502, codes["aspirations-2"])
    async with polling_bot(api, engine):
        first, second = await asyncio.wait_for(asyncio.gather(one.run(), two.run()), 60)

    assert first.errors == [] and second.errors == []
    assert first.answers == second.answers
    assert len(first.answers) >= 8
