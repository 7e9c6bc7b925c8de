"""Simulated respondents: people who answer a survey through the real bot.

Each respondent sees only what a phone would show: the messages and inline keyboards the
bot sent to the fake Bot API. It reads the latest question, presses one of the buttons the
bot really drew, or types a reply, and waits for the bot to react, the way a person would.
Nothing is taken from the database or the survey files, so a bot that draws the wrong
buttons, forgets to edit a message or loses its place shows up as a stuck or wrong
simulation rather than passing unnoticed.

Every choice comes from a random generator seeded with (seed, respondent, question, visit),
not from one shared stream, so the answers given are the same from run to run even though
the interleaving of concurrent respondents is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import random
import re
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import Engine

from bot.callback_data import decode
from bot.serving import Served, serving
from bot.settings import BotSettings
from bot.simulation.fake_bot_api import ChatMessage, FakeBotApi, InlineButton, UserAction
from surveys.engine import Action, Back, Choose, Consent, Done, SetLanguage, SetRole, Skip, Toggle
from surveys.i18n import languages, register_overrides, t

_LOGGER = logging.getLogger(__name__)

ROLES = ("student", "caregiver")
LANGUAGES = ("en", "es")
LIKERT_VALUES = ("1", "2", "3", "4", "5")

SELECTED_MARK = "✅"
"""How the bot shows a multi-choice option that is toggled on."""
POSITION = re.compile(r"^\s*(\d+)/(\d+)\b")
"""Questions open with their progress, "3/12"; an answered question keeps it when edited."""


@cache
def thanks_markers() -> frozenset[str]:
    """The thanks message's last line in every language and register: the sign the
    survey is complete (and no other message carries it)."""
    markers = set()
    for language in languages():
        markers.add(t("thanks.delete_hint", language))
        for register in register_overrides(language):
            markers.add(t("thanks.delete_hint", f"{language}@{register}"))
    return frozenset(markers)


NUMBER_HINT = re.compile(r"\b(number|número)\b", re.IGNORECASE)
RANGE_HINT = re.compile(r"(?:from|del)\s+(-?\d+)\s+(?:to|al)\s+(-?\d+)", re.IGNORECASE)
MIN_HINT = re.compile(r"\((-?\d+)\s+(?:or more|o más)\)", re.IGNORECASE)
MAX_HINT = re.compile(r"\((-?\d+)\s+(?:or less|o menos)\)", re.IGNORECASE)

NOT_A_NUMBER = {"en": "a few", "es": "unos cuantos"}
RESUME_WORDS = {"en": "hi, I'm back", "es": "hola, ya volví"}
FIRST_NAMES = (
    "Ana", "Jayden", "Maria", "Luis", "Aaliyah", "Sofia", "Mateo", "Emma", "Diego", "Keisha",
    "Carlos", "Mia", "Jamal", "Valentina", "Noah", "Ximena", "Tyler", "Guadalupe", "Liam",
    "Fatima", "Ethan", "Camila", "DeShawn", "Isabella",
)  # fmt: skip

DEFAULT_CHAT_ID_BASE = 7_000_000


# ---------------------------------------------------------------------------- demo answers


@dataclass(frozen=True)
class DemoAnswers:
    """The bundled free-text answers, by theme, role and language."""

    themes: Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]]
    keywords: Mapping[str, tuple[str, ...]]
    safeguarding: Mapping[str, Mapping[str, tuple[str, ...]]]

    def all_answers(self) -> list[str]:
        return [
            text
            for by_role in self.themes.values()
            for by_language in by_role.values()
            for texts in by_language.values()
            for text in texts
        ]

    def themes_for(self, question: str) -> list[str]:
        """The themes whose keywords the question text contains; all themes if none does."""
        lowered = question.casefold()
        matched = [
            theme
            for theme, words in self.keywords.items()
            if any(word.casefold() in lowered for word in words)
        ]
        return matched or sorted(self.themes)

    def pick(self, rng: random.Random, *, question: str, role: str, language: str) -> str:
        theme = rng.choice(self.themes_for(question))
        return rng.choice(self.themes[theme][role][language])

    def disclosure(self, rng: random.Random, *, role: str, language: str) -> str:
        return rng.choice(self.safeguarding[role][language])


@cache
def load_demo_answers() -> DemoAnswers:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("bot.simulation").joinpath("demo_answers.yaml").read_text("utf-8")
    )
    themes: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    keywords: dict[str, tuple[str, ...]] = {}
    for theme, body in raw["themes"].items():
        keywords[theme] = tuple(body["keywords"])
        themes[theme] = {
            role: {language: tuple(body[role][language]) for language in LANGUAGES}
            for role in ROLES
        }
    safeguarding = {
        role: {language: tuple(raw["safeguarding"][role][language]) for language in LANGUAGES}
        for role in ROLES
    }
    return DemoAnswers(themes=themes, keywords=keywords, safeguarding=safeguarding)


# ---------------------------------------------------------------------------- personas


@dataclass(frozen=True)
class Persona:
    """Who a simulated respondent is and how they tend to answer."""

    index: int
    chat_id: int
    first_name: str
    role: str
    language: str
    app_language: str
    """The language of their Telegram app, which the bot may take as a hint."""
    disposition: float
    """-1 (unhappy) .. 1 (happy): shifts likert choices toward the low or high end."""
    skip_probability: float
    back_after: int | None = None
    """After this many answers, tap Back once and answer the previous question again."""
    pause_after: int | None = None
    """After this many answers, send /stop, then come back."""
    invalid_number_first: bool = False
    discloses: bool = False
    """Gives one free-text answer that speaks of harm (safeguarding)."""
    declines: bool = False


def make_persona(
    *, seed: int, index: int, role: str, chat_id: int, language: str | None = None
) -> Persona:
    rng = random.Random(f"{seed}:persona:{index}")
    if role not in ROLES:
        role = rng.choice(ROLES)
    language = language or ("es" if rng.random() < 0.45 else "en")
    app_language = language if rng.random() < 0.8 else ("en" if language == "es" else "es")
    disposition = max(-1.0, min(1.0, rng.choice((0.7, 0.7, 0.0, -0.6)) + rng.uniform(-0.3, 0.3)))
    return Persona(
        index=index,
        chat_id=chat_id,
        first_name=rng.choice(FIRST_NAMES),
        role=role,
        language=language,
        app_language=app_language,
        disposition=round(disposition, 3),
        skip_probability=round(rng.uniform(0.0, 0.15), 3),
        back_after=rng.randint(2, 6) if rng.random() < 0.25 else None,
        pause_after=rng.randint(3, 8) if rng.random() < 0.2 else None,
        invalid_number_first=rng.random() < 0.3,
        discloses=rng.random() < 0.06,
        declines=rng.random() < 0.04,
    )


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class GivenAnswer:
    """What the respondent did for one question, in the stored-answer vocabulary."""

    value: str | None = None
    text: str | None = None
    skipped: bool = False
    options: tuple[str, ...] = ()
    """Multi-choice: the options toggled on, in the order pressed."""


@dataclass
class RespondentResult:
    persona: Persona
    campaign_code: str
    completed: bool = False
    declined: bool = False
    answers: dict[str, GivenAnswer] = field(default_factory=dict)
    history: dict[str, list[GivenAnswer]] = field(default_factory=dict)
    """Every answer given to each question, in order (the last is in `answers`)."""
    paused: bool = False
    went_back: bool = False
    invalid_numbers: int = 0
    disclosed: bool = False
    steps: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class SimulationReport:
    results: list[RespondentResult]
    seconds: float

    @property
    def respondents(self) -> int:
        return len(self.results)

    @property
    def completed(self) -> int:
        return sum(r.completed for r in self.results)

    @property
    def declined(self) -> int:
        return sum(r.declined for r in self.results)

    @property
    def answers(self) -> int:
        """Questions answered or skipped, counting each question once per respondent."""
        return sum(len(r.answers) for r in self.results)

    @property
    def text_answers(self) -> int:
        return sum(1 for r in self.results for a in r.answers.values() if a.text)

    @property
    def disclosures(self) -> int:
        return sum(r.disclosed for r in self.results)

    @property
    def errors(self) -> list[str]:
        return [f"respondent {r.persona.index}: {e}" for r in self.results for e in r.errors]

    def summary(self) -> str:
        paused = sum(r.paused for r in self.results)
        back = sum(r.went_back for r in self.results)
        return (
            f"{self.respondents} simulated respondents in {self.seconds:.1f}s: "
            f"{self.completed} completed, {self.declined} declined, {self.answers} answers "
            f"({self.text_answers} typed, {self.disclosures} safeguarding), "
            f"{paused} paused and came back, {back} went back once, "
            f"{len(self.errors)} errors"
        )


# ---------------------------------------------------------------------------- one respondent


@dataclass(frozen=True)
class _Decoded:
    button: InlineButton
    action: Action | None

    @property
    def option(self) -> str:
        """The option a Choose or Toggle button picks."""
        if not isinstance(self.action, Choose | Toggle):
            raise StuckError(f"button {self.button.text!r} picks no option")
        return self.action.option

    question_id: str | None


@dataclass(frozen=True)
class _View:
    kind: str
    """language | consent | role | choice | multi | text | finished | unknown"""
    message: ChatMessage | None
    buttons: tuple[_Decoded, ...] = ()

    def first(self, kind: type) -> _Decoded | None:
        return next((b for b in self.buttons if isinstance(b.action, kind)), None)

    def all(self, kind: type) -> list[_Decoded]:
        return [b for b in self.buttons if isinstance(b.action, kind)]

    @property
    def question_id(self) -> str | None:
        return next((b.question_id for b in self.buttons if b.question_id), None)


class StuckError(RuntimeError):
    """The bot stopped moving the conversation on: a bug to report, not to retry forever."""


class SimulatedRespondent:
    """Answers one campaign through the bot, reading only what the bot sent."""

    def __init__(
        self,
        api: FakeBotApi,
        persona: Persona,
        *,
        campaign_code: str,
        seed: int,
        answers: DemoAnswers | None = None,
        settle: float = 0.08,
        confirm: float = 0.5,
        step_timeout: float = 15.0,
        max_steps: int = 150,
    ) -> None:
        self.api = api
        self.persona = persona
        self.code = campaign_code
        self.seed = seed
        self.bank = answers or load_demo_answers()
        self.settle = settle
        self.confirm = confirm
        self.step_timeout = step_timeout
        self.max_steps = max_steps
        self.result = RespondentResult(persona=persona, campaign_code=campaign_code)
        self._answered = 0
        self._visits: dict[str, int] = {}
        self._typed_into: set[int] = set()
        self._newest_prompt = 0
        self._last_seen: tuple[int, str, tuple[str | None, ...]] | None = None
        self._repeats = 0
        self._question_text: dict[str, str] = {}
        self._number_error_given = False

    @property
    def chat_id(self) -> int:
        return self.persona.chat_id

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, self.persona.index, *parts)))

    async def run(self) -> RespondentResult:
        """Start from the campaign link and answer until the bot stops asking."""
        self.api.add_user(
            self.chat_id,
            first_name=self.persona.first_name,
            language_code=self.persona.app_language,
        )
        try:
            await self._do(self.api.send_command(self.chat_id, "/start", self.code), None)
            while self.result.steps < self.max_steps:
                self.result.steps += 1
                view = self._read()
                if view.kind == "finished":
                    # Replies can come in several messages; be sure the bot is really done.
                    await self._quiet(self.confirm)
                    view = self._read()
                    if view.kind == "finished" and await self._ended():
                        self.result.completed = not self.result.declined and self._answered > 0
                        return self.result
                    continue
                await self._step(view)
            raise StuckError(f"no end after {self.max_steps} steps")
        except (StuckError, TimeoutError, LookupError) as exc:
            # First line only: the wait helpers append the chat's transcript, and answer
            # text has no place in a report or a log next to a chat id. The transcript
            # stays available from the fake server for whoever is debugging.
            reason = str(exc).splitlines()[0] if str(exc) else ""
            self.result.errors.append(f"{type(exc).__name__}: {reason}")
            _LOGGER.warning("simulated respondent %s stopped: %s", self.persona.index, reason)
        return self.result

    # ---- reading the chat

    def _read(self) -> _View:
        """The prompt the respondent should deal with now, from the chat as shown."""
        candidates = [
            m
            for m in self.api.messages(self.chat_id)
            if m.message_id >= self._newest_prompt
            and m.message_id not in self._typed_into
            and (m.callback_buttons or (POSITION.match(m.text) and m.edit_date is None))
        ]
        if not candidates:
            return _View("finished", None)
        message = candidates[-1]
        # A newer prompt makes every older one stale, even if it still shows its buttons
        # (a question shown again after /stop or after an error keeps the old copy above).
        self._newest_prompt = message.message_id
        decoded = tuple(_Decoded(b, *(_decode(b.callback_data))) for b in message.callback_buttons)
        view = _View("unknown", message, decoded)
        if view.first(SetLanguage):
            return _View("language", message, decoded)
        if view.first(Consent):
            return _View("consent", message, decoded)
        if view.first(SetRole):
            return _View("role", message, decoded)
        if view.first(Toggle):
            return _View("multi", message, decoded)
        if view.first(Choose):
            return _View("choice", message, decoded)
        if POSITION.match(message.text):
            return _View("text", message, decoded)
        return view

    async def _step(self, view: _View) -> None:
        message = view.message
        assert message is not None
        seen = (message.message_id, message.text, tuple(b.callback_data for b in message.buttons))
        if seen == self._last_seen:
            self._repeats += 1
            if self._repeats >= 3:
                raise StuckError(f"the bot keeps showing message {message.message_id}")
            await self._quiet(self.confirm)
            view = self._read()
            if view.message is None:
                return
            message = view.message
        else:
            self._repeats = 0
        self._last_seen = (
            message.message_id,
            message.text,
            tuple(b.callback_data for b in message.buttons),
        )
        match view.kind:
            case "language":
                await self._choose_language(view)
            case "consent":
                await self._consent(view)
            case "role":
                await self._press_first(view, SetRole, lambda a: a.role == self.persona.role)
            case "choice" | "multi" | "text":
                await self._question(view)
            case _:
                raise StuckError(f"cannot tell what message {message.message_id} asks")

    # ---- acting

    async def _press(self, view: _View, decoded: _Decoded) -> None:
        assert view.message is not None and decoded.button.callback_data is not None
        if not isinstance(decoded.action, Toggle):
            # A person who answered a question does not answer it again from its old
            # message, even if its buttons are still showing for a moment: the record of
            # the answer can arrive just after the next question.
            self._typed_into.add(view.message.message_id)
        action = self.api.press(self.chat_id, view.message.message_id, decoded.button.callback_data)
        await self._do(action, view.message)

    async def _type(self, view: _View, text: str) -> None:
        if view.message is not None:
            self._typed_into.add(view.message.message_id)
        await self._do(self.api.send_text(self.chat_id, text), view.message)

    async def _do(self, action: UserAction, prompt: ChatMessage | None) -> None:
        """Wait until the bot visibly reacted (a new message, or the prompt changed), then
        until it has been quiet for a moment: one update can bring several calls."""
        before = None if prompt is None else (prompt.text, prompt.keyboard, prompt.deleted)

        def reacted() -> bool:
            if self.api.last_message_id(self.chat_id) > action.marker:
                return True
            return prompt is not None and (prompt.text, prompt.keyboard, prompt.deleted) != before

        with contextlib.suppress(TimeoutError):
            # An action the bot only answers with a pop-up changes nothing: the stuck check
            # in `_step` deals with that.
            await self.api.wait_until(reacted, timeout=self.step_timeout)
        await self._quiet(self.settle)

    def _thanked(self) -> bool:
        """The thanks message (it names /delete) is in the chat: the survey is complete."""
        markers = thanks_markers()
        return any(marker in m.text for m in self.api.messages(self.chat_id) for marker in markers)

    async def _ended(self) -> bool:
        """Whether the conversation is over, not merely slow: a busy bot can be quiet for
        longer than `confirm` between an answer and the next question. Waits (up to the
        step timeout) for the thanks, or for a new prompt, which returns False."""
        if self.result.declined or self._thanked():
            return True
        deadline = time.monotonic() + self.step_timeout
        while time.monotonic() < deadline:
            await asyncio.sleep(self.settle)
            if self._thanked():
                return True
            if self._read().kind != "finished":
                return False
        raise StuckError("the bot went quiet without asking a question or saying thanks")

    async def _quiet(self, seconds: float) -> None:
        """Until the bot has done nothing in this chat for `seconds`."""
        deadline = time.monotonic() + self.step_timeout
        while True:
            idle = self.api.idle(self.chat_id)
            if idle >= seconds:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot kept talking for {self.step_timeout}s")
            await asyncio.sleep(seconds - idle)

    async def _press_first(self, view: _View, kind: type, wanted: Any) -> None:
        options = view.all(kind)
        if not options:
            raise StuckError(f"no {kind.__name__} button")
        chosen = next((o for o in options if wanted(o.action)), options[0])
        await self._press(view, chosen)

    async def _choose_language(self, view: _View) -> None:
        await self._press_first(view, SetLanguage, lambda a: a.code == self.persona.language)

    async def _consent(self, view: _View) -> None:
        agree = not self.persona.declines
        await self._press_first(view, Consent, lambda a: a.agree == agree)
        if not agree:
            self.result.declined = True

    async def _question(self, view: _View) -> None:
        qid = view.question_id or f"?{view.message.message_id if view.message else 0}"
        visit = self._visits.get(qid, 0)
        self._visits[qid] = visit + 1
        back = view.first(Back)
        persona = self.persona
        if (
            back is not None
            and not self.result.went_back
            and persona.back_after is not None
            and self._answered >= persona.back_after
        ):
            self.result.went_back = True
            await self._press(view, back)
            return
        if (
            not self.result.paused
            and persona.pause_after is not None
            and self._answered >= persona.pause_after
        ):
            await self._pause_and_resume()
            return
        rng = self._rng("q", qid, visit)
        # The first time a question shows is its real text; a later "Other: type it" prompt
        # for the same question is not, and the free text should still fit the question.
        self._question_text.setdefault(qid, view.message.text if view.message else "")
        skip = view.first(Skip)
        free_text = view.kind == "text" and not NUMBER_HINT.search(
            view.message.text if view.message else ""
        )
        # People skip open questions far more often than buttons.
        skip_p = persona.skip_probability + (0.25 if free_text else 0.0)
        if skip is not None and rng.random() < skip_p:
            await self._press(view, skip)
            self._record(qid, GivenAnswer(skipped=True))
            return
        match view.kind:
            case "choice":
                await self._choose(view, qid, rng)
            case "multi":
                await self._multi(view, qid, rng)
            case _:
                await self._text(view, qid, rng)

    def _record(self, qid: str, answer: GivenAnswer) -> None:
        previous = self.result.answers.get(qid)
        # The free text of a multi-choice "other" completes the choice already recorded.
        if (
            previous is not None
            and answer.text is not None
            and answer.value is None
            and previous.options
            and not previous.skipped
        ):
            answer = GivenAnswer(previous.value, answer.text, False, previous.options)
        self.result.answers[qid] = answer
        self.result.history.setdefault(qid, []).append(answer)
        if previous is None:
            self._answered += 1

    async def _choose(self, view: _View, qid: str, rng: random.Random) -> None:
        choices = view.all(Choose)
        values = [c.option for c in choices]
        if set(values) - {"not_sure"} <= set(LIKERT_VALUES) and len(values) >= 5:
            option = _likert(rng, self.persona.disposition, "not_sure" in values)
        elif set(values) == {"yes", "no"}:
            option = "yes" if rng.random() < 0.6 + 0.25 * self.persona.disposition else "no"
        else:
            option = rng.choice(values)
        chosen = next(c for c in choices if c.option == option)
        await self._press(view, chosen)
        self._record(qid, GivenAnswer(value=option))

    async def _multi(self, view: _View, qid: str, rng: random.Random) -> None:
        toggles = view.all(Toggle)
        options = [t.option for t in toggles]
        plain = [o for o in options if o != "other"]
        wanted = rng.sample(plain, min(len(plain), 1 + int(rng.random() * 3)))
        if "other" in options and (not wanted or rng.random() < 0.25):
            wanted.append("other")
        # Going back to a multi-choice question shows earlier picks as selected ("✅ ...");
        # a person taps only what should change.
        selected = {t.option for t in toggles if t.button.text.startswith(SELECTED_MARK)}
        for option in [o for o in options if (o in wanted) != (o in selected)]:
            current = self._read()
            if current.message is None or current.kind != "multi":
                raise StuckError("the multi-choice question went away while choosing")
            toggle = next(t for t in current.all(Toggle) if t.option == option)
            await self._press(current, toggle)
        current = self._read()
        done = current.first(Done)
        if done is None:
            raise StuckError("a multi-choice question without a Done button")
        await self._press(current, done)
        value = _json_list(wanted)
        self._record(qid, GivenAnswer(value=value, options=tuple(wanted)))

    async def _text(self, view: _View, qid: str, rng: random.Random) -> None:
        message = view.message
        text = message.text if message else ""
        language = self.persona.language
        keep = view.first(Done)  # "Keep my answer", offered when a typed answer exists
        if keep is not None and qid in self.result.answers and rng.random() < 0.5:
            await self._press(view, keep)
            return
        if NUMBER_HINT.search(text):
            low, high = _number_range(text)
            if self.persona.invalid_number_first and not self._number_error_given:
                self._number_error_given = True
                self.result.invalid_numbers += 1
                await self._type(view, NOT_A_NUMBER.get(language, "a few"))
                if message is not None and self._read().kind == "finished":
                    # The bot explained the mistake without repeating the question: the
                    # question above is still the one to answer.
                    self._typed_into.discard(message.message_id)
                return
            number = str(rng.randint(low, high))
            await self._type(view, number)
            self._record(qid, GivenAnswer(value=number))
            return
        question = self._question_text.get(qid, text)
        if self.persona.discloses and not self.result.disclosed:
            self.result.disclosed = True
            answer = self.bank.disclosure(rng, role=self.persona.role, language=language)
        else:
            answer = self.bank.pick(
                rng, question=question, role=self.persona.role, language=language
            )
        await self._type(view, answer)
        self._record(qid, GivenAnswer(text=answer))

    async def _pause_and_resume(self) -> None:
        """/stop, then come back one of the three ways a person would."""
        self.result.paused = True
        await self._do(self.api.send_command(self.chat_id, "/stop"), None)
        how = self._rng("resume").choice(("resume", "start", "message"))
        if how == "resume":
            action = self.api.send_command(self.chat_id, "/resume")
        elif how == "start":
            action = self.api.send_command(self.chat_id, "/start", self.code)
        else:
            action = self.api.send_text(self.chat_id, RESUME_WORDS[self.persona.language])
        await self._do(action, None)


def _decode(data: str | None) -> tuple[Action | None, str | None]:
    decoded = decode(data)
    if decoded is None:
        return None, None
    return decoded.action, decoded.question_id


def _likert(rng: random.Random, disposition: float, not_sure: bool) -> str:
    if not_sure and rng.random() < 0.04:
        return "not_sure"
    weights = [math.exp(1.3 * disposition * (k - 3)) for k in range(1, 6)]
    return rng.choices(LIKERT_VALUES, weights=weights)[0]


def _number_range(text: str) -> tuple[int, int]:
    if match := RANGE_HINT.search(text):
        return int(match[1]), int(match[2])
    if match := MIN_HINT.search(text):
        return int(match[1]), int(match[1]) + 10
    if match := MAX_HINT.search(text):
        return max(0, int(match[1]) - 10), int(match[1])
    return 0, 10


def _json_list(items: Sequence[str]) -> str:
    return json.dumps(list(items))


# ---------------------------------------------------------------------------- many respondents


async def run_simulation(
    api: FakeBotApi,
    *,
    campaigns: Sequence[tuple[str, str]],
    respondents: int,
    seed: int,
    concurrency: int | None = None,
    chat_id_base: int = DEFAULT_CHAT_ID_BASE,
    language: str | None = None,
    time_limit: float = 300.0,
    settle: float = 0.08,
) -> SimulationReport:
    """Run `respondents` simulated people against the bot polling `api`, all at once.

    `campaigns` is a list of (campaign code, role); respondent i answers campaign
    i mod len(campaigns). The bot must already be running against `api`.
    """
    if not campaigns:
        raise ValueError("run_simulation needs at least one (campaign code, role)")
    answers = load_demo_answers()
    people = [
        SimulatedRespondent(
            api,
            make_persona(
                seed=seed,
                index=i,
                role=campaigns[i % len(campaigns)][1],
                chat_id=chat_id_base + i,
                language=language,
            ),
            campaign_code=campaigns[i % len(campaigns)][0],
            seed=seed,
            answers=answers,
            settle=settle,
        )
        for i in range(respondents)
    ]
    limit = asyncio.Semaphore(concurrency or max(1, respondents))

    async def one(person: SimulatedRespondent) -> RespondentResult:
        async with limit:
            try:
                async with asyncio.timeout(time_limit):
                    return await person.run()
            except TimeoutError:
                person.result.errors.append(f"did not finish within {time_limit}s")
                return person.result

    started = time.monotonic()
    results = await asyncio.gather(*(one(p) for p in people))
    return SimulationReport(results=list(results), seconds=time.monotonic() - started)


@asynccontextmanager
async def polling_bot(
    api: FakeBotApi,
    engine: Engine,
    *,
    rate_limit: bool = False,
    username: str = "chorus_sim_bot",
) -> AsyncIterator[Served]:
    """The real chorus runtime polling `api` (inbox, processing, outbox), stopped cleanly
    however the block ends."""
    settings = BotSettings(token=api.token, username=username, api_base_url=api.base_url)
    async with serving(settings, engine, rate_limit=rate_limit, poll_timeout=1) as served:
        yield served


async def run_demo_respondents(
    *,
    database_url: str,
    campaign_codes_by_role: Mapping[str, list[str]],
    respondents: int = 40,
    seed: int = 7,
    token: str = "7000000001:DEMO-chorus-simulated",
    rate_limit: bool = False,
    known_chats: Sequence[int] = (),
) -> SimulationReport:
    """Answer the demo campaigns through the real bot, against a local fake Telegram.

    Starts a `FakeBotApi`, builds the real application on `database_url` pointing at it,
    polls, lets `respondents` simulated people answer, and shuts everything down; the
    answers stay in the database. Telegram's rate limiter is off by default: with it, 40
    respondents take minutes, which is Telegram's pace and not the bot's.
    """
    from surveys.db import make_engine

    campaigns = [(code, role) for role, codes in campaign_codes_by_role.items() for code in codes]
    engine = make_engine(database_url)
    try:
        async with (
            FakeBotApi(token=token, username="chorus_demo_bot") as api,
            polling_bot(api, engine, rate_limit=rate_limit, username="chorus_demo_bot"),
        ):
            for chat_id in known_chats:  # staff chats: alerts raised meanwhile reach them
                api.add_user(chat_id)
            return await run_simulation(
                api,
                campaigns=campaigns,
                respondents=respondents,
                seed=seed,
                # Other seeds are other people, so a second demo run adds respondents
                # instead of meeting "you have already answered".
                chat_id_base=DEFAULT_CHAT_ID_BASE + seed * 100_000,
            )
    finally:
        engine.dispose()
