"""Load respondents: many people answering at once, each timing every reply it waits for.

`bot.simulation.respondents` plays rich personas (going back, pausing, typing wrong
numbers) and waits for the bot to go quiet before acting, which is right for the demo but
blurs a latency figure. These respondents are plainer: they open the link, pick English,
consent, and answer each question by pressing one of the buttons the bot drew (or typing
when the question has none), thinking a random while between answers. They only see what
a phone shows, so any bot that draws buttons can be driven, chorus or the benchmark's floor.

A reply's latency runs from the moment the user's update was made available to the bot
(queued at the fake Telegram) to the moment the bot's next prompt reached the user there:
a new message with buttons or a numbered question, an edit of the keyboard (a multi-choice
toggle), or the closing message.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.callback_data import decode
from bot.simulation.fake_bot_api import ChatMessage, FakeBotApi, InlineButton, UserAction
from surveys.engine import Back, Choose, Consent, Done, SetLanguage, SetRole, Skip, Toggle
from surveys.i18n import t

POSITION = re.compile(r"^\s*(\d+)/(\d+)\b")
"""A numbered question ("3/14 ..."), which a text question is even without buttons."""
NUMBER_HINT = re.compile(r"\b(number|número)\b", re.IGNORECASE)
RANGE_HINT = re.compile(r"(?:from|del)\s+(-?\d+)\s+(?:to|al)\s+(-?\d+)", re.IGNORECASE)
TEXT_ANSWERS = (
    "More clubs after school, and a quiet place to study.",
    "Teachers who check in when I'm absent.",
    "I don't know yet.",
    "Smaller classes and more time with my counsellor.",
)


@dataclass(frozen=True)
class LoadSettings:
    """How the simulated people behave; every figure the report prints comes from here."""

    think: tuple[float, float] = (5.0, 15.0)
    """Seconds a person reads and decides before each tap, uniform between the two."""
    arrival: float = 10.0
    """People open the link at uniform random moments over this many seconds."""
    reply_timeout: float = 60.0
    """A person who waits this long for a reply gives up: the reply was never delivered."""
    settle: float = 2.0
    """After a message that asks nothing, how long to wait for a question to follow (a
    per-chat rate limit may space a notice and the next question by a second)."""
    role: str = "student"
    language: str = "en"
    seed: int = 1
    max_steps: int = 200


@dataclass(frozen=True)
class Given:
    """One answer as the person gave it, in the stored-answer vocabulary."""

    value: str | None = None
    text: str | None = None
    skipped: bool = False


@dataclass
class Sample:
    """One tap or message and the reply it got."""

    kind: str
    update_id: int
    made_at: float
    replied_at: float | None = None

    @property
    def latency(self) -> float | None:
        return None if self.replied_at is None else self.replied_at - self.made_at


@dataclass
class LoadResult:
    chat_id: int
    finished: bool = False
    answers: dict[str, Given] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class _Prompt:
    message: ChatMessage
    question_id: str | None
    buttons: tuple[tuple[InlineButton, object], ...]
    """Each callback button with its decoded action (None when the data is not chorus's)."""

    def of(self, kind: type) -> list[InlineButton]:
        return [b for b, action in self.buttons if isinstance(action, kind)]


class LoadRespondent:
    """One person: opens the link, answers until the bot stops asking, times each reply."""

    def __init__(
        self, api: FakeBotApi, *, chat_id: int, campaign_code: str, settings: LoadSettings
    ) -> None:
        self.api = api
        self.code = campaign_code
        self.settings = settings
        self.result = LoadResult(chat_id=chat_id)
        self._rng = random.Random(f"{settings.seed}:{chat_id}")
        self._prompt_id = 0
        self._last_record: tuple[str, Given | None] | None = None

    @property
    def chat_id(self) -> int:
        return self.result.chat_id

    async def run(self) -> LoadResult:
        await asyncio.sleep(self._rng.uniform(0, self.settings.arrival))
        action = self.api.send_command(self.chat_id, "/start", self.code)
        sample = self._sample("start", action)
        toggled: ChatMessage | None = None
        for _ in range(self.settings.max_steps):
            current = await self._reply(sample, action, toggled)
            self._forget_refused(action)
            if current is None:
                self.result.finished = sample.replied_at is not None
                return self.result
            await asyncio.sleep(self._rng.uniform(*self.settings.think))
            action, kind = self._act(current)
            sample = self._sample(kind, action)
            toggled = current.message if kind == "toggle" else None
            if toggled is None:  # answered: only a newer message can be the next prompt
                self._prompt_id = current.message.message_id + 1
        self.result.error = f"no end after {self.settings.max_steps} steps"
        return self.result

    def _forget_refused(self, action: UserAction) -> None:
        """A tap the bot refused as an earlier question's (a question shown twice after a
        crash, tapped again) did not count: the person keeps the answer that did."""
        refused = {t("errors.stale_button", language) for language in ("en", "es", "es@formal")}
        replies = [m.text for m in self.api.messages(self.chat_id) if m.message_id > action.marker]
        if self._last_record is not None and any(text in refused for text in replies):
            question_id, previous = self._last_record
            if previous is None:
                self.result.answers.pop(question_id, None)
            else:
                self.result.answers[question_id] = previous
        self._last_record = None

    def _sample(self, kind: str, action: UserAction) -> Sample:
        made_at = self.api.update_times.get(action.update_id, time.monotonic())
        sample = Sample(kind, action.update_id, made_at)
        self.result.samples.append(sample)
        return sample

    # ---- waiting for the bot

    async def _reply(
        self, sample: Sample, action: UserAction, prompt: ChatMessage | None
    ) -> _Prompt | None:
        """The next prompt, with the reply's arrival noted; None when the bot asks nothing more
        (or never replied, which leaves `sample.replied_at` unset). `prompt` is the message
        a toggle was tapped on: its redrawn keyboard is the reply."""
        edited_before = None if prompt is None else (prompt.keyboard, prompt.edited_at)

        def new_messages() -> list[ChatMessage]:
            return [m for m in self.api.messages(self.chat_id) if m.message_id > action.marker]

        def reacted() -> bool:
            if any(_is_prompt(m) for m in new_messages()):
                return True
            return prompt is not None and (prompt.keyboard, prompt.edited_at) != edited_before

        def anything() -> bool:
            return reacted() or bool(new_messages())

        try:
            chat = self.chat_id
            await self.api.wait_in_chat(chat, anything, timeout=self.settings.reply_timeout)
            if not reacted():  # a notice first: a question may still follow it
                await self.api.wait_in_chat(chat, reacted, timeout=self.settings.settle)
        except TimeoutError:
            pass
        arrived = new_messages()
        if not arrived and not (prompt is not None and reacted()):
            self.result.error = f"no reply to update {action.update_id}"
            return None
        sample.replied_at = min(
            [m.sent_at for m in arrived if _is_prompt(m)]
            or ([prompt.edited_at] if prompt is not None and prompt.edited_at else [])
            or [m.sent_at for m in arrived]
        )
        return self._read()

    def _read(self) -> _Prompt | None:
        """The newest message asking for something, as a phone shows it now."""
        for message in reversed(self.api.messages(self.chat_id)):
            if message.message_id < self._prompt_id:
                return None
            if _is_prompt(message):
                self._prompt_id = message.message_id
                buttons = tuple((b, _action(b.callback_data)) for b in message.callback_buttons)
                qid = next(
                    (getattr(a, "question_id", None) for _, a in buttons if _question_of(a)),
                    None,
                )
                return _Prompt(message, qid, buttons)
        return None

    # ---- acting

    def _act(self, prompt: _Prompt) -> tuple[UserAction, str]:
        for kind, wanted in (
            (SetLanguage, lambda a: a.code == self.settings.language),
            (Consent, lambda a: a.agree),
            (SetRole, lambda a: a.role == self.settings.role),
        ):
            if prompt.of(kind):
                return self._press_matching(prompt, kind, wanted), "setup"
        if prompt.of(Toggle):
            return self._multi(prompt)
        choices = prompt.of(Choose)
        if choices:
            button = self._rng.choice(choices)
            decoded = _action(button.callback_data)
            if isinstance(decoded, Choose):
                self._record(decoded.question_id, Given(value=decoded.option))
            return self._press(prompt, button), "answer"
        others = [b for b, a in prompt.buttons if a is None]
        if others:  # not chorus's buttons (the floor bot's): any of them is an answer
            button = self._rng.choice(others)
            position = POSITION.match(prompt.message.text)
            key = f"#{position[1] if position else prompt.message.message_id}"
            self._record(key, Given(value=button.callback_data))
            return self._press(prompt, button), "answer"
        return self._type(prompt), "answer"

    def _press(self, prompt: _Prompt, button: InlineButton) -> UserAction:
        assert button.callback_data is not None
        return self.api.press(self.chat_id, prompt.message.message_id, button.callback_data)

    def _press_matching(self, prompt: _Prompt, kind: type, wanted: object) -> UserAction:
        buttons = prompt.of(kind)
        chosen = next(
            (b for b in buttons if callable(wanted) and wanted(_action(b.callback_data))),
            buttons[0],
        )
        return self._press(prompt, chosen)

    def _multi(self, prompt: _Prompt) -> tuple[UserAction, str]:
        """Tap one option on, then Done: a toggle is a tap that gets a reply too."""
        toggles = [b for b in prompt.of(Toggle) if not b.text.startswith("✅")]
        done = prompt.of(Done)
        picked = [b for b in prompt.of(Toggle) if b.text.startswith("✅")]
        if done and picked:
            chosen = [_action(b.callback_data) for b in picked]
            options = [a.option for a in chosen if isinstance(a, Toggle)]
            if prompt.question_id is not None:
                self._record(prompt.question_id, Given(value=_json_list(options)))
            return self._press(prompt, done[0]), "answer"
        return self._press(prompt, self._rng.choice(toggles)), "toggle"

    def _type(self, prompt: _Prompt) -> UserAction:
        text = prompt.message.text
        if NUMBER_HINT.search(text):
            match = RANGE_HINT.search(text)
            low, high = (int(match[1]), int(match[2])) if match else (0, 10)
            answer = Given(value=str(self._rng.randint(low, high)))
            typed = answer.value or ""
        else:
            typed = self._rng.choice(TEXT_ANSWERS)
            answer = Given(text=typed)
        position = POSITION.match(text)
        self._record(prompt.question_id or f"#{position[1] if position else '?'}", answer)
        return self.api.send_text(self.chat_id, typed)

    def _record(self, question_id: str, answer: Given) -> None:
        self._last_record = (question_id, self.result.answers.get(question_id))
        self.result.answers[question_id] = answer


def _action(data: str | None) -> object:
    decoded = decode(data)
    return None if decoded is None else decoded.action


def _question_of(action: object) -> bool:
    return isinstance(action, Choose | Toggle | Done | Skip) and not isinstance(action, Back)


def _is_prompt(message: ChatMessage) -> bool:
    return bool(message.callback_buttons) or bool(
        POSITION.match(message.text) and message.edit_date is None
    )


def _json_list(items: Sequence[str]) -> str:
    return json.dumps(list(items))


# ---------------------------------------------------------------------------- many at once


@dataclass
class LoadReport:
    results: list[LoadResult]
    seconds: float
    settings: LoadSettings

    @property
    def samples(self) -> list[Sample]:
        return [s for r in self.results for s in r.samples]

    def latencies(self, *, kinds: Sequence[str] | None = None) -> list[float]:
        return sorted(
            s.latency
            for s in self.samples
            if s.latency is not None and (kinds is None or s.kind in kinds)
        )

    @property
    def finished(self) -> int:
        return sum(r.finished for r in self.results)

    @property
    def answers(self) -> int:
        return sum(len(r.answers) for r in self.results)

    @property
    def taps(self) -> Counter[str]:
        return Counter(s.kind for s in self.samples)

    @property
    def unanswered(self) -> int:
        """Taps and messages that never got a reply within the reply timeout."""
        return sum(1 for s in self.samples if s.replied_at is None)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted `values` (NaN when there are none)."""
    if not values:
        return float("nan")
    rank = max(0, min(len(values) - 1, math.ceil(fraction * len(values) - 1e-9) - 1))
    return values[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


async def run_load(
    api: FakeBotApi,
    *,
    campaign_code: str,
    respondents: int,
    settings: LoadSettings,
    chat_id_base: int,
    time_limit: float = 900.0,
) -> LoadReport:
    """`respondents` people answer the campaign at once through the bot polling `api`."""
    people = [
        LoadRespondent(
            api, chat_id=chat_id_base + i, campaign_code=campaign_code, settings=settings
        )
        for i in range(respondents)
    ]

    async def one(person: LoadRespondent) -> LoadResult:
        try:
            async with asyncio.timeout(time_limit):
                return await person.run()
        except TimeoutError:
            person.result.error = f"did not finish within {time_limit:.0f}s"
            return person.result

    started = time.monotonic()
    results = await asyncio.gather(*(one(p) for p in people))
    return LoadReport(list(results), time.monotonic() - started, settings)


# ---------------------------------------------------------------------------- checking the outcome


def prepare_campaign(
    database_url: str, *, out_dir: Path, username: str, survey: str = "student-belonging"
) -> str:
    """A database ready for `chorus run`: migrated, the built-ins added, one campaign open.

    Returns the campaign code people put after `/start`.
    """
    from bot.launching import launch_campaign
    from surveys.crud.surveys import add_builtin_surveys
    from surveys.db import init_db, make_engine, session_scope

    engine = make_engine(database_url)
    try:
        init_db(engine)
        with session_scope(engine) as session:
            add_builtin_surveys(session)
            launched = launch_campaign(
                session,
                survey=survey,
                organization="Benchmark School District",
                school="Load Test Middle School",
                grade="7",
                closes_at=datetime.now(UTC) + timedelta(days=7),
                out_dir=out_dir,
                username=username,
                allow_no_safeguarding_lead=True,  # a simulated crowd, not a school
            )
            return launched.campaign.code
    finally:
        engine.dispose()


_STORED = text(
    "SELECT c.chat_id, a.question_id, a.value, a.text, a.skipped"
    " FROM answer a JOIN respondent r ON r.id = a.respondent_id"
    " JOIN campaign k ON k.id = r.campaign_id"
    " JOIN contact c ON c.respondent_id = a.respondent_id"
    " WHERE k.code = :code"
)
_COMPLETED = text(
    "SELECT c.chat_id FROM respondent r JOIN campaign k ON k.id = r.campaign_id"
    " JOIN contact c ON c.respondent_id = r.id"
    " WHERE k.code = :code AND r.completed_at IS NOT NULL"
)


@dataclass(frozen=True)
class Stored:
    answers: dict[int, list[tuple[str, Given]]]
    """chat id -> every stored (question id, answer), duplicates included."""
    completed: set[int]


def stored_answers(database_url: str, campaign_code: str) -> Stored:
    """What the database holds for the campaign, read the way analysis never may (by chat)."""
    from surveys.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(_STORED, {"code": campaign_code}).all()
            completed = {int(r[0]) for r in connection.execute(_COMPLETED, {"code": campaign_code})}
    finally:
        engine.dispose()
    answers: dict[int, list[tuple[str, Given]]] = {}
    for chat_id, question_id, value, typed, skipped in rows:
        answers.setdefault(int(chat_id), []).append(
            (str(question_id), Given(value=value, text=typed, skipped=bool(skipped)))
        )
    return Stored(answers=answers, completed=completed)


@dataclass(frozen=True)
class Integrity:
    """What went missing or twice between the people and the database."""

    answers_given: int
    lost: list[str]
    """"chat:question" the person answered that the database lacks or holds differently."""
    duplicated_answers: int
    """Answers stored more than once for one person and question."""
    duplicated_questions: int
    """A question the bot sent twice in a row to one chat (the same text and buttons)."""
    never_delivered: int
    """Taps and messages that never got a reply before the person gave up."""

    @property
    def ok(self) -> bool:
        problems = (self.duplicated_answers, self.duplicated_questions, self.never_delivered)
        return not self.lost and not any(problems)


def check_integrity(api: FakeBotApi, report: LoadReport, stored: Stored) -> Integrity:
    lost: list[str] = []
    duplicated = 0
    for result in report.results:
        rows = stored.answers.get(result.chat_id, [])
        by_question: dict[str, list[Given]] = {}
        for question_id, given in rows:
            by_question.setdefault(question_id, []).append(given)
        duplicated += sum(len(v) - 1 for v in by_question.values() if len(v) > 1)
        for question_id, given in result.answers.items():
            if given not in by_question.get(question_id, []):
                lost.append(f"{result.chat_id}:{question_id}")
    return Integrity(
        answers_given=report.answers,
        lost=lost,
        duplicated_answers=duplicated,
        duplicated_questions=sum(repeated_questions(api, r.chat_id) for r in report.results),
        never_delivered=report.unanswered,
    )


def repeated_questions(api: FakeBotApi, chat_id: int) -> int:
    """Sends in the chat that repeat the bot's previous send word for word, buttons and all."""
    sends = [
        (entry.text, entry.buttons)
        for entry in api.transcript(chat_id)
        if entry.direction == "bot" and entry.kind == "send"
    ]
    return sum(1 for before, after in itertools.pairwise(sends) if before == after)
