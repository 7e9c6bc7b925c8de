"""The real bot, end to end: PTB Application polling over HTTP a fake Bot API on 127.0.0.1.

Nothing is mocked between the button a user taps and the row in the database: the
Application fetches updates with getUpdates, the handlers run the conversation service, and
every reply goes back over HTTP to `FakeBotApi`, which keeps the chat as a phone shows it.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram.ext import Application

from bot.serving import Webhook, serving
from bot.settings import BotSettings
from bot.simulation.fake_bot_api import ChatMessage, FakeBotApi, UserAction
from bot.simulation.respondents import (
    GivenAnswer,
    Persona,
    RespondentResult,
    SimulatedRespondent,
    polling_bot,
    run_simulation,
)
from surveys.definition import Survey
from surveys.i18n import t
from surveys.models import Answer, Campaign, Contact, Respondent
from tests.factories import make_campaign

pytestmark = pytest.mark.filterwarnings(
    # PTB 22 warns when RetryAfter.retry_after is read as an int, as its rate limiter does.
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

TOKEN = "5150:END-TO-END"
STUDENT = 9001
WAIT = 8.0
"""Seconds any single wait may take before the test fails: nothing here may hang."""


@pytest.fixture
def campaigns(engine: Engine) -> Iterator[dict[str, str]]:
    """One open campaign per built-in survey, by survey id -> campaign code."""
    with Session(engine, expire_on_commit=False) as session:
        codes = {
            survey_id: make_campaign(session, survey_id=survey_id).code
            for survey_id in ("student-belonging", "caregiver-belonging", "student-aspirations")
        }
        session.commit()
    yield codes


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="chorus_e2e_bot") as server:
        yield server


def running_bot(
    api: FakeBotApi, engine: Engine, *, rate_limit: bool = False
) -> AbstractAsyncContextManager[Application]:
    """The real application polling the fake server; stopped however the test ends."""
    return polling_bot(api, engine, rate_limit=rate_limit)


async def reply_to(api: FakeBotApi, action: UserAction) -> ChatMessage:
    """The next message the bot sends after `action`, once the bot has gone quiet."""
    message = await api.wait_for_reply(action.chat_id, after=action, timeout=WAIT)
    await api.wait_settled(action.chat_id, since=action, quiet=0.05, timeout=WAIT)
    return message


async def tap(api: FakeBotApi, chat_id: int, label: str) -> ChatMessage:
    """Tap the button labelled `label` on the latest keyboard; the bot's next message."""
    return await reply_to(api, api.press_button(chat_id, label))


async def assert_redelivery_changes_nothing(api: FakeBotApi, action: UserAction) -> None:
    """Deliver `action`'s update again, as Telegram does after a timeout: the bot says nothing."""
    sent_before = len(api.messages(action.chat_id))
    api.redeliver(action.update_id)
    await api.wait_until(lambda: api.pending_updates == 0, timeout=WAIT)
    await asyncio.sleep(0.3)  # time for a wrong reply to arrive, were there one
    assert len(api.messages(action.chat_id)) == sent_before


def stored(engine: Engine, chat_id: int) -> tuple[Respondent, Contact, dict[str, Answer]]:
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.chat_id == chat_id)).one()
        respondent = session.get(Respondent, contact.respondent_id)
        assert respondent is not None
        answers = session.exec(
            select(Answer).where(Answer.respondent_id == contact.respondent_id)
        ).all()
        return respondent, contact, {a.question_id: a for a in answers}


async def eventually(predicate: Callable[[], bool], *, timeout: float = WAIT) -> None:
    """Poll a database condition: the bot writes it after an HTTP answer we cannot await."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.05)


def one_line(text: str) -> str:
    return " ".join(text.split())


# (question, label tapped or "type:" text typed, stored value) for student-belonging, in order.
# Values worked out by hand from scales.yaml: the first label of a scale is "1", the last "5".
STUDENT_PLAN: list[tuple[str, str, str | None]] = [
    ("b1", "Quite well", "4"),  # how_well
    ("b2", "Slightly likely", "2"),  # how_likely
    ("b3", "Almost always", "5"),  # how_often
    ("b4", "A little", "2"),  # how_much
    ("b5", "Almost never", "1"),  # how_often, reverse-coded but stored as answered
    ("c1", "Often", "4"),
    ("c2", "Sometimes", "3"),
    ("c3", "Slightly easy", "2"),  # how_easy; <= 2 shows c3_why
    ("c3_why", "type:The teacher goes too fast and Ms. Lee is always busy.", None),
    ("h1", "Extremely clear", "5"),
    ("h2", "Somewhat well", "3"),
    ("h3", "Not at all well", "1"),
    ("o1", "type:Learn my name and say hi in the hallway.", None),
    ("o2", "Skip", None),
]


async def test_a_student_completes_student_belonging_by_pressing_the_buttons_sent(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["student-belonging"]
    async with running_bot(api, engine):
        message = await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        assert [b.text for b in message.buttons] == ["English", "Español"]
        consent = await tap(api, STUDENT, "English")
        assert "confidential" in consent.text and "not anonymous" in consent.text
        assert "Bridges Tutoring" in consent.text  # the campaign's organization
        message = await tap(api, STUDENT, "Start")
        assert message.text.startswith("1/13\n")  # c3_why is hidden until c3 is answered
        assert survey.question("b1").text["en"] in message.text
        assert all(len(row) == 1 for row in message.keyboard)  # one option per row
        first_question = message.message_id

        for qid, move, _ in STUDENT_PLAN:
            assert survey.question(qid).text["en"] in message.text, (qid, message.text)
            if qid == "c3_why":
                assert message.text.startswith("9/14\n")
            if move.startswith("type:"):
                message = await reply_to(api, api.send_text(STUDENT, move.removeprefix("type:")))
            else:
                message = await tap(api, STUDENT, move)
        thanks = message
        await api.wait_settled(STUDENT, since=0, quiet=0.2, timeout=WAIT)

    assert one_line(survey.thanks["en"]) in one_line(thanks.text)
    # The first question now records the answer and has lost its keyboard.
    answered = api.message(STUDENT, first_question)
    assert answered.keyboard == ()
    assert answered.text.endswith("➜ Quite well")

    respondent, contact, answers = stored(engine, STUDENT)
    assert respondent.status == "completed"
    assert respondent.language == "en"
    assert not contact.opted_out
    assert set(answers) == {qid for qid, _, _ in STUDENT_PLAN}
    for qid, move, value in STUDENT_PLAN:
        answer = answers[qid]
        if move.startswith("type:"):
            assert (answer.value, answer.text) == (None, move.removeprefix("type:"))
        elif move == "Skip":
            assert answer.skipped and answer.value is None
        else:
            assert (answer.value, answer.skipped) == (value, False), qid
    # Every callback query got its answer, so no phone shows a spinner.
    assert len(api.callback_answers) == sum(1 for _, m, _ in STUDENT_PLAN if "type:" not in m) + 2


def _persona(chat_id: int, *, role: str, language: str) -> Persona:
    return Persona(
        index=chat_id,
        chat_id=chat_id,
        first_name="Rosa",
        role=role,
        language=language,
        app_language=language,
        disposition=0.3,
        skip_probability=0.0,
    )


def _matches(answer: Answer, given: GivenAnswer) -> bool:
    if given.options:
        return set(json.loads(answer.value or "[]")) == set(given.options) and (
            answer.text == given.text
        )
    return (answer.value, answer.text, answer.skipped) == (given.value, given.text, given.skipped)


def assert_stored_as_given(
    engine: Engine, result: RespondentResult, *, raced: bool = False
) -> None:
    """What the simulated person pressed and typed is exactly what the database holds.

    `raced`: the bot told this person a button was from an earlier question. A person who
    taps two copies of one question in quick succession (the question shown again, the
    answer already on its way) gets the first tap stored and the second refused with that
    notice; then an earlier answer of theirs to that question is what counts.
    """
    respondent, _, answers = stored(engine, result.persona.chat_id)
    assert set(answers) == set(result.answers), result.persona
    for qid, given in result.answers.items():
        answer = answers[qid]
        if _matches(answer, given):
            continue
        earlier = result.history.get(qid, [])[:-1]
        assert raced and any(_matches(answer, e) for e in earlier), (qid, answer, given)
    assert (respondent.status == "completed") == result.completed


def told_stale(api: FakeBotApi, chat_id: int) -> bool:
    notices = {t("errors.stale_button", lang) for lang in ("en", "es", "es@formal")}
    return any(m.text in notices for m in api.messages(chat_id))


async def test_a_caregiver_answers_caregiver_belonging_in_spanish(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["caregiver-belonging"]
    chat_id = 9002
    person = SimulatedRespondent(
        api,
        _persona(chat_id, role="caregiver", language="es"),
        campaign_code=campaigns[survey.id],
        seed=11,
    )
    async with running_bot(api, engine):
        result = await asyncio.wait_for(person.run(), 60)

    assert result.errors == []
    assert result.completed
    texts = [one_line(m.text) for m in api.messages(chat_id)]
    everything = "\n".join(texts)
    consent = next(t for t in texts if one_line(survey.consent["es"]) in t)
    assert one_line(survey.title["es"]) in consent
    assert "confidencial" in consent and "Bridges Tutoring" in consent
    assert one_line(survey.consent["en"]) not in everything
    assert "Empezar" in [label for entry in api.transcript(chat_id) for label in entry.buttons]
    first = survey.questions[0]
    assert one_line(first.text["es"]) in everything
    assert one_line(first.text["en"]) not in everything
    assert one_line(survey.thanks["es"]) in everything
    respondent, _, _ = stored(engine, chat_id)
    assert respondent.language == "es"
    assert_stored_as_given(engine, result)


async def test_resume_after_stop_and_a_new_application(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["student-belonging"]
    async with running_bot(api, engine):
        await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        await tap(api, STUDENT, "English")
        await tap(api, STUDENT, "Start")
        await tap(api, STUDENT, "Quite well")  # b1
        await tap(api, STUDENT, "Slightly likely")  # b2
        paused = await reply_to(api, api.send_command(STUDENT, "/stop"))
        assert "Paused" in paused.text

    # A different Application object: anything kept in memory is gone.
    async with running_bot(api, engine):
        shown = await reply_to(api, api.send_command(STUDENT, "/resume"))
        assert shown.text.startswith("3/13\n")
        assert survey.question("b3").text["en"] in shown.text
        await tap(api, STUDENT, "Often")  # b3

    _, _, answers = stored(engine, STUDENT)
    assert {qid: a.value for qid, a in answers.items()} == {"b1": "4", "b2": "2", "b3": "4"}


async def test_a_duplicated_update_stores_one_answer(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["student-belonging"]
    async with running_bot(api, engine):
        await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        await tap(api, STUDENT, "English")
        await tap(api, STUDENT, "Start")
        pressed = api.press_button(STUDENT, "Quite well")  # b1
        second = await reply_to(api, pressed)
        assert survey.question("b2").text["en"] in second.text
        # The duplicate must not answer b2 with "4" nor move the survey on; the live
        # question still takes its answer.
        await assert_redelivery_changes_nothing(api, pressed)
        third = await tap(api, STUDENT, "Slightly likely")  # b2
        assert survey.question("b3").text["en"] in third.text

    respondent, _, answers = stored(engine, STUDENT)
    assert {qid: a.value for qid, a in answers.items()} == {"b1": "4", "b2": "2"}
    assert respondent.current_question == "b3"


async def test_a_double_tap_stores_one_answer(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["student-belonging"]
    async with running_bot(api, engine):
        await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        await tap(api, STUDENT, "English")
        question = await tap(api, STUDENT, "Start")
        data = question.button("Quite well").callback_data
        assert data is not None
        first = api.press(STUDENT, question.message_id, data)
        second = api.press(STUDENT, question.message_id, data)  # before the bot reacted
        await api.wait_for_answer(second.query_id or "", timeout=WAIT)
        await api.wait_for_answer(first.query_id or "", timeout=WAIT)
        await api.wait_settled(STUDENT, since=first, quiet=0.2, timeout=WAIT)

    _, _, answers = stored(engine, STUDENT)
    assert {qid: a.value for qid, a in answers.items()} == {"b1": "4"}
    texts = [m.text for m in api.messages(STUDENT)]
    shown_b2 = [i for i, text in enumerate(texts) if survey.question("b2").text["en"] in text]
    # The second tap is on an earlier question: a short notice, then the current one again.
    assert len(shown_b2) == 2
    assert t("errors.stale_button", "en") in texts[shown_b2[0] + 1 : shown_b2[1]]


async def test_flood_control_is_waited_out_and_the_answer_lands(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["student-belonging"]
    async with running_bot(api, engine, rate_limit=True):
        await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        await tap(api, STUDENT, "English")
        await tap(api, STUDENT, "Start")
        api.fail_next("sendMessage", 1, error_code=429, retry_after=1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        following = await tap(api, STUDENT, "Quite well")  # b1
        waited = loop.time() - started

    assert survey.question("b2").text["en"] in following.text
    assert waited >= 1.0  # Telegram said "retry after 1"; the bot must not retry sooner
    statuses = [call.status for call in api.calls_to("sendMessage")]
    assert statuses[-2:] == [429, 200]
    _, _, answers = stored(engine, STUDENT)
    assert answers["b1"].value == "4"


async def test_a_blocked_bot_marks_the_contact_opted_out(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["student-belonging"]
    async with running_bot(api, engine):
        await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        await tap(api, STUDENT, "English")
        question = await tap(api, STUDENT, "Start")
        _, contact, _ = stored(engine, STUDENT)
        assert not contact.opted_out
        api.block(STUDENT)
        data = question.button("Quite well").callback_data
        assert data is not None
        api.press(STUDENT, question.message_id, data)
        await api.wait_until(lambda: any(c.status == 403 for c in api.calls), timeout=WAIT)
        await eventually(lambda: stored(engine, STUDENT)[1].opted_out)

    _, contact, answers = stored(engine, STUDENT)
    assert contact.opted_out
    assert answers["b1"].value == "4"  # committed before the bot tried to reply


async def test_a_few_dozen_respondents_complete_concurrently(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str]
) -> None:
    plan = [
        (campaigns["student-belonging"], "student"),
        (campaigns["caregiver-belonging"], "caregiver"),
        (campaigns["student-aspirations"], "student"),
    ]
    async with running_bot(api, engine):
        report = await run_simulation(api, campaigns=plan, respondents=24, seed=3, time_limit=60)

    assert report.errors == []
    assert report.respondents == 24
    assert report.completed + report.declined == 24
    assert report.completed >= 20
    with Session(engine) as session:
        statuses = [r.status for r in session.exec(select(Respondent)).all()]
    assert statuses.count("completed") == report.completed
    for result in report.results:
        if not result.declined:
            try:
                assert_stored_as_given(
                    engine, result, raced=told_stale(api, result.persona.chat_id)
                )
            except AssertionError:
                print(api.render_transcript(result.persona.chat_id))
                raise
    languages = {r.persona.language for r in report.results}
    assert languages == {"en", "es"}


async def test_a_redelivered_text_does_not_answer_the_next_question(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    # o1 and o2 are both free text: a text message handled twice would fill o2 with o1's text.
    survey = builtin["student-belonging"]
    async with running_bot(api, engine):
        await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        await tap(api, STUDENT, "English")
        message = await tap(api, STUDENT, "Start")
        for qid, move, _ in STUDENT_PLAN:
            if qid == "o1":
                break
            if move.startswith("type:"):
                message = await reply_to(api, api.send_text(STUDENT, move.removeprefix("type:")))
            else:
                message = await tap(api, STUDENT, move)
        assert survey.question("o1").text["en"] in message.text
        typed = api.send_text(STUDENT, "More clubs after school.")
        shown_o2 = await reply_to(api, typed)
        assert survey.question("o2").text["en"] in shown_o2.text
        await assert_redelivery_changes_nothing(api, typed)

    respondent, _, answers = stored(engine, STUDENT)
    assert answers["o1"].text == "More clubs after school."
    assert "o2" not in answers
    assert respondent.current_question == "o2"


async def test_bad_inputs_over_http_get_a_reply_and_store_nothing(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["student-belonging"]
    with Session(engine) as session:
        other = session.exec(
            select(Campaign).where(Campaign.code == campaigns["caregiver-belonging"])
        ).one()
    async with running_bot(api, engine):
        await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        await tap(api, STUDENT, "English")
        question = await tap(api, STUDENT, "Start")  # b1, a likert question
        # Each bad input and the key of the reply it should get (in English).
        bad: list[tuple[Callable[[int], UserAction], str]] = [
            (api.send_sticker, "bot.unsupported.media"),
            (api.send_photo, "bot.unsupported.media"),
            (api.send_voice, "bot.unsupported.media"),
            (lambda chat: api.send_command(chat, "/frobnicate"), "bot.unsupported.command"),
            # Text where a button is due.
            (lambda chat: api.send_text(chat, "I think quite well"), "errors.tap_button"),
            # Forged: a campaign that does not exist, and one the chat is not answering.
            # Buttons the bot never sent to this chat carry no valid signature.
            (
                lambda chat: api.press(chat, question.message_id, "a:999999:b1:4", force=True),
                "bot.buttons.invalid",
            ),
            (
                lambda chat: api.press(chat, question.message_id, f"a:{other.id}:w1:4", force=True),
                "bot.buttons.invalid",
            ),
            (
                lambda chat: api.press(chat, question.message_id, "garbage", force=True),
                "bot.buttons.invalid",
            ),
        ]
        for send, key in bad:
            action = send(STUDENT)
            reply = await api.wait_for_reply(STUDENT, after=action, timeout=WAIT)
            await api.wait_settled(STUDENT, since=action, quiet=0.05, timeout=WAIT)
            assert reply.text == t(key, "en"), key
            if action.query_id is not None:
                assert action.query_id in api.callback_answers  # no spinner left behind
            assert stored(engine, STUDENT)[2] == {}, key
        following = await tap(api, STUDENT, "Quite well")
        assert survey.question("b2").text["en"] in following.text

    _, _, answers = stored(engine, STUDENT)
    assert {qid: a.value for qid, a in answers.items()} == {"b1": "4"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_bot_answers_over_a_webhook_with_the_secret_token(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["student-belonging"]
    settings = BotSettings(
        token=TOKEN,
        username="chorus_e2e_bot",
        api_base_url=api.base_url,
        secret_key="e2e-secret-key",
    )
    secret = settings.webhook_secret_token()
    assert secret is not None
    port = _free_port()
    hook = Webhook(
        listen="127.0.0.1",
        port=port,
        url_path="telegram",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        secret_token=secret,
    )
    async with serving(settings, engine, webhook=hook, rate_limit=False):
        assert api.webhook_secret == secret
        await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        await tap(api, STUDENT, "English")
        await tap(api, STUDENT, "Start")
        following = await tap(api, STUDENT, "Quite well")
        assert survey.question("b2").text["en"] in following.text
        # An update without the right secret is refused and changes nothing.
        api.webhook_secret = "not-the-secret"
        forged = api.press_button(STUDENT, "Extremely likely")
        await api.wait_until(
            lambda: (
                [s for u, s in api.webhook_deliveries if u == forged.update_id] == [403, 403, 403]
            ),
            timeout=WAIT,
        )

    _, _, answers = stored(engine, STUDENT)
    assert {qid: a.value for qid, a in answers.items()} == {"b1": "4"}


async def test_network_errors_are_retried_and_a_not_modified_edit_is_harmless(
    api: FakeBotApi, engine: Engine, campaigns: dict[str, str], builtin: dict[str, Survey]
) -> None:
    survey = builtin["student-belonging"]
    async with running_bot(api, engine):
        await reply_to(api, api.send_command(STUDENT, "/start", campaigns[survey.id]))
        await tap(api, STUDENT, "English")
        await tap(api, STUDENT, "Start")
        # Telegram's 502 reaches PTB as NetworkError: the bot must try again.
        api.fail_next("sendMessage", 2, error_code=502)
        # A "not modified" answer to the edit must not stop the next question.
        api.fail_next(
            "editMessageText",
            1,
            error_code=400,
            description="Bad Request: message is not modified: specified new message "
            "content and reply markup are exactly the same as a current content and reply "
            "markup of the message",
        )
        following = await tap(api, STUDENT, "Quite well")  # b1

    assert survey.question("b2").text["en"] in following.text
    assert [c.status for c in api.calls_to("sendMessage")][-3:] == [502, 502, 200]
    assert api.calls_to("editMessageText")[-1].status == 400  # tried once, not retried
    _, _, answers = stored(engine, STUDENT)
    assert answers["b1"].value == "4"
