"""The conversation engine: one pure function from (progress, action) to the next step.

Everything a respondent can do arrives as an `Action`; everything the bot needs to
do next comes back as a `Step`. The engine holds no state of its own, reads no
clock and touches no storage, so the same inputs always give the same step. That
is what lets the service replay an update after a crash, lets tests walk whole
conversations without Telegram, and keeps validation in one place for every channel.

Choices documented here because the bot and the tests rely on them:

- Likert buttons run from the lowest label to the highest, in the order the scale
  is written. Listing the favorable end first would lean on the primacy effect of
  visual lists and inflate percent favorable; this order also matches paper forms.
- After an answer the engine moves to the next *unanswered* visible question after
  the current one (then any unanswered one before it). So after going Back to fix
  an answer, one tap returns the respondent to where they were.
- Buttons of the answer already given are marked `selected` and prefixed "✅ ",
  so the respondent sees what they said when they come Back.
- Text and number questions that already hold an answer offer "Keep my answer",
  sent as `Done(question_id)`; Done is otherwise the multi-choice confirmation.
- Done with nothing selected skips an optional multi-choice question.
- While the "Other" text is awaited, Back returns to the options and any Toggle
  cancels the wait (the respondent is choosing again; Done asks anew).
- Consent refused leaves the status at ``consent``, so tapping Start later still works.
- `Progress.role` is the campaign's audience from `begin` on (None only until an "any"
  respondent answers the role question): it decides the register, see `voice`.
- On an error the step has no prompt: the current question is still on screen, and
  the caller can `Show()` it again if it wants to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from surveys import safeguarding
from surveys.conditions import AnswerValue, Condition, parse_condition
from surveys.definition import Question, QuestionType, Survey
from surveys.i18n import t
from surveys.status import RespondentStatus

OTHER = "other"
"""The option id of a multi-choice question's "Other", whose free text is asked next."""
NOT_SURE = "not_sure"
ROLES = ("student", "caregiver")
ACKNOWLEDGEMENT_LIMIT = 60
"""Long typed answers are cut to this many characters when echoed back."""

_CHOOSABLE = frozenset({QuestionType.LIKERT, QuestionType.SINGLE_CHOICE, QuestionType.YES_NO})
_TYPED = frozenset({QuestionType.TEXT, QuestionType.NUMBER})
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


# --- state -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """One stored answer as the engine sees it."""

    value: str | None
    text: str | None = None
    skipped: bool = False
    flagged: bool = False


@dataclass(frozen=True)
class Context:
    """The campaign facts the conversation needs."""

    organization: str
    languages: tuple[str, ...]
    default_language: str
    audience: str
    follow_up: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Progress:
    """Everything the engine needs between updates; the service stores it on the respondent."""

    status: RespondentStatus
    language: str
    role: str | None
    current: str | None
    answers: Mapping[str, Given]
    pending: tuple[str, ...] = ()
    awaiting_other: bool = False


# --- actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """Something the respondent did: a tapped button or a message."""


@dataclass(frozen=True)
class Show(Action):
    """Re-show whatever is current: resume, /start again, a stray message."""


@dataclass(frozen=True)
class SetLanguage(Action):
    code: str


@dataclass(frozen=True)
class Consent(Action):
    agree: bool


@dataclass(frozen=True)
class SetRole(Action):
    role: str


@dataclass(frozen=True)
class Choose(Action):
    question_id: str
    option: str


@dataclass(frozen=True)
class Toggle(Action):
    question_id: str
    option: str


@dataclass(frozen=True)
class Done(Action):
    question_id: str


@dataclass(frozen=True)
class Skip(Action):
    question_id: str


@dataclass(frozen=True)
class Back(Action):
    pass


@dataclass(frozen=True)
class Reply(Action):
    text: str


# --- output ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    label: str
    action: Action
    selected: bool = False


@dataclass(frozen=True)
class Prompt:
    kind: str
    """"language" | "consent" | "role" | "question" | "thanks" | "declined"."""
    text: str
    buttons: tuple[Button, ...] = ()
    question_id: str | None = None
    position: tuple[int, int] | None = None
    expects_text: bool = False


@dataclass(frozen=True)
class Step:
    progress: Progress
    prompt: Prompt | None
    error: str | None = None
    saved: tuple[str, Given] | None = None
    removed: tuple[str, ...] = ()
    acknowledgement: str | None = None
    edit_in_place: bool = False
    safeguarding: bool = False
    """The answer just saved speaks of harm: the service raises an alert for a designated adult."""
    support: str | None = None
    """A message to deliver before the prompt, in the respondent's voice: the crisis
    resources after a disclosure. Part of the step so every channel delivers it."""
    declined: bool = False


# --- survey helpers ----------------------------------------------------------------------


@lru_cache(maxsize=512)
def _condition(source: str) -> Condition:
    return parse_condition(source)


def _condition_value(question: Question, given: Given) -> AnswerValue:
    """The answer as `show_if` compares it: a list for multi-choice, nothing when skipped."""
    if given.skipped or given.value is None:
        return None
    if question.type is QuestionType.MULTI_CHOICE:
        return _chosen(given)
    return given.value


def _chosen(given: Given | None) -> tuple[str, ...]:
    if given is None or given.skipped or not given.value:
        return ()
    try:
        ids = json.loads(given.value)
    except ValueError:
        return ()
    return tuple(str(i) for i in ids) if isinstance(ids, list) else ()


def visible_questions(survey: Survey, answers: Mapping[str, Given]) -> list[Question]:
    """The questions shown given `answers`, in survey order.

    Each `show_if` sees only answers to questions that are themselves visible, so an
    answer left behind on a hidden question can never keep a later question alive.
    """
    seen: dict[str, AnswerValue] = {}
    visible: list[Question] = []
    for question in survey.questions:
        if question.show_if is not None and not _condition(question.show_if).evaluate(seen):
            continue
        visible.append(question)
        given = answers.get(question.id)
        if given is not None:
            seen[question.id] = _condition_value(question, given)
    return visible


def next_question(
    survey: Survey, answers: Mapping[str, Given], *, after: str | None = None
) -> Question | None:
    """The next visible question without an answer: after `after` first, then from the top."""
    unanswered = [q for q in visible_questions(survey, answers) if q.id not in answers]
    if after is not None:
        start = survey.index(after)
        later = [q for q in unanswered if survey.index(q.id) > start]
        if later:
            return later[0]
    return unanswered[0] if unanswered else None


def voice(progress: Progress) -> str:
    """The catalog language to speak in: "es" to a student, "es@formal" to anyone else.

    Spanish addresses students with "tú" and families with "usted", as the built-in
    surveys do; a message mixing the two reads as machine-made. Until a respondent of an
    "any" campaign says who they are, the respectful form is used.
    """
    if progress.role == "student":
        return progress.language
    return f"{progress.language}@formal"


def _plain(language: str) -> str:
    return language.partition("@")[0]


def _localized(texts: Mapping[str, str], language: str, fallback: str) -> str:
    language = _plain(language)
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


def _scale_labels(survey: Survey, question: Question, language: str) -> tuple[str, ...]:
    scale = survey.scales.get(question.scale or "", {})
    labels = scale.get(_plain(language)) or scale.get("en") or next(iter(scale.values()), ())
    return tuple(labels)


def _option_label(question: Question, option_id: str, language: str) -> str:
    if option_id == OTHER and question.other and question.option(OTHER) is None:
        return t("buttons.other", language)
    option = question.option(option_id)
    if option is None:
        return option_id
    return _localized(option.label, language, "en")


def _multi_ids(question: Question) -> tuple[str, ...]:
    ids = tuple(o.id for o in question.options)
    return (*ids, OTHER) if question.other and OTHER not in ids else ids


def _truncate(text: str, limit: int = ACKNOWLEDGEMENT_LIMIT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _display_number(canonical: str, language: str) -> str:
    return canonical.replace(".", t("answer.decimal_separator", language))


def format_answer(survey: Survey, question: Question, given: Given, language: str) -> str:
    """The human label of an answer: "Quite well", "Tutoring, Other: a robotics club", "3,5"."""
    if given.skipped:
        return t("answer.skipped", language)
    value = given.value or ""
    match question.type:
        case QuestionType.LIKERT:
            if value == NOT_SURE:
                return t("buttons.not_sure", language)
            labels = _scale_labels(survey, question, language)
            if value.isdigit() and 1 <= int(value) <= len(labels):
                return labels[int(value) - 1]
            return value
        case QuestionType.SINGLE_CHOICE:
            return _option_label(question, value, language)
        case QuestionType.YES_NO:
            return t(f"buttons.{value}", language) if value in ("yes", "no") else value
        case QuestionType.MULTI_CHOICE:
            parts = []
            for option_id in _chosen(given):
                if option_id == OTHER and given.text:
                    parts.append(t("answer.other", language, text=_truncate(given.text)))
                else:
                    parts.append(_option_label(question, option_id, language))
            return ", ".join(parts)
        case QuestionType.NUMBER:
            return _display_number(value, language)
        case QuestionType.TEXT:
            return _truncate(given.text or "")
    return value


# --- prompts -----------------------------------------------------------------------------


def _offered(survey: Survey, context: Context) -> tuple[str, ...]:
    """Languages both the campaign offers and the survey is written in."""
    both = tuple(code for code in context.languages if code in survey.languages)
    return both or tuple(survey.languages) or (context.default_language,)


def _match_language(code: str | None, offered: Sequence[str]) -> str | None:
    if code is None:
        return None
    if code in offered:
        return code
    base = code.split("-", 1)[0].split("_", 1)[0].lower()
    return base if base in offered else None


def _language_prompt(offered: Sequence[str], role: str | None) -> Prompt:
    def speak(code: str) -> str:
        return voice(Progress(RespondentStatus.LANGUAGE, code, role, None, {}))

    return Prompt(
        kind="language",
        text="\n".join(t("language.prompt", speak(code)) for code in offered),
        buttons=tuple(Button(t("language.name", code), SetLanguage(code)) for code in offered),
    )


def _consent_prompt(survey: Survey, context: Context, language: str) -> Prompt:
    fallback = context.default_language
    parts = (
        _localized(survey.title, language, fallback),
        _localized(survey.intro, language, fallback),
        _localized(survey.consent, language, fallback),
        t("consent.statement", language, organization=context.organization),
        t("consent.question", language),
    )
    return Prompt(
        kind="consent",
        text="\n\n".join(p.strip() for p in parts if p and p.strip()),
        buttons=(
            Button(t("consent.start", language), Consent(agree=True)),
            Button(t("consent.decline", language), Consent(agree=False)),
        ),
    )


def _role_prompt(language: str) -> Prompt:
    return Prompt(
        kind="role",
        text=t("role.prompt", language),
        buttons=tuple(Button(t(f"role.{role}", language), SetRole(role)) for role in ROLES),
    )


def _thanks_prompt(survey: Survey, context: Context, language: str) -> Prompt:
    fallback = context.default_language
    parts = [_localized(survey.thanks, language, fallback), t("thanks.delete_hint", language)]
    if context.follow_up:
        parts.append(_localized(context.follow_up, language, fallback))
    return Prompt(kind="thanks", text="\n\n".join(p.strip() for p in parts if p and p.strip()))


def _button(label: str, action: Action, language: str, *, selected: bool) -> Button:
    shown = t("buttons.selected", language, label=label) if selected else label
    return Button(shown, action, selected=selected)


def _answer_buttons(
    survey: Survey, question: Question, given: Given | None, progress: Progress
) -> list[Button]:
    language = voice(progress)
    current = None if given is None or given.skipped else given.value
    qid = question.id
    buttons: list[Button] = []
    match question.type:
        case QuestionType.LIKERT:
            for point, label in enumerate(_scale_labels(survey, question, language), start=1):
                choice = Choose(qid, str(point))
                buttons.append(_button(label, choice, language, selected=current == str(point)))
            if question.not_sure:
                label = t("buttons.not_sure", language)
                buttons.append(
                    _button(label, Choose(qid, NOT_SURE), language, selected=current == NOT_SURE)
                )
        case QuestionType.SINGLE_CHOICE:
            for option in question.options:
                label = _localized(option.label, language, "en")
                choice = Choose(qid, option.id)
                buttons.append(_button(label, choice, language, selected=current == option.id))
        case QuestionType.YES_NO:
            for value in ("yes", "no"):
                label = t(f"buttons.{value}", language)
                buttons.append(
                    _button(label, Choose(qid, value), language, selected=current == value)
                )
        case QuestionType.MULTI_CHOICE:
            for option_id in _multi_ids(question):
                label = _option_label(question, option_id, language)
                toggle = Toggle(qid, option_id)
                selected = option_id in progress.pending
                buttons.append(_button(label, toggle, language, selected=selected))
            buttons.append(Button(t("buttons.done", language), Done(qid)))
        case QuestionType.TEXT | QuestionType.NUMBER:
            if given is not None and not given.skipped:
                buttons.append(Button(t("buttons.keep", language), Done(qid)))
    return buttons


def _bound(value: float | None, language: str) -> str | None:
    return None if value is None else _display_number(_canonical(Decimal(repr(value))), language)


def _range_text(question: Question, language: str, prefix: str) -> str | None:
    """The sentence about a number question's limits: `prefix` + "_range", "_min" or "_max"."""
    low, high = _bound(question.min, language), _bound(question.max, language)
    if low is not None and high is not None:
        return t(f"{prefix}_range", language, min=low, max=high)
    if low is not None:
        return t(f"{prefix}_min", language, min=low)
    if high is not None:
        return t(f"{prefix}_max", language, max=high)
    return None


def _question_prompt(survey: Survey, context: Context, progress: Progress) -> Prompt:
    language = voice(progress)
    question = survey.question(progress.current or "")
    visible = [q.id for q in visible_questions(survey, progress.answers)]
    number = visible.index(question.id) + 1 if question.id in visible else 1
    position = (number, max(len(visible), number))
    header = t("question.position", language, number=position[0], total=position[1])
    navigation: list[Button] = []
    if not question.required:
        navigation.append(Button(t("buttons.skip", language), Skip(question.id)))
    if number > 1:
        navigation.append(Button(t("buttons.back", language), Back()))

    if progress.awaiting_other:
        return Prompt(
            kind="question",
            text=f"{header}\n{t('question.other_prompt', language)}",
            buttons=(Button(t("buttons.back", language), Back()),),
            question_id=question.id,
            position=position,
            expects_text=True,
        )

    given = progress.answers.get(question.id)
    lines = [f"{header}\n{_localized(question.text, language, context.default_language)}"]
    match question.type:
        case QuestionType.MULTI_CHOICE:
            lines.append(t("question.hint_multi", language))
        case QuestionType.TEXT:
            lines.append(t("question.hint_text", language))
        case QuestionType.NUMBER:
            hint = _range_text(question, language, "question.hint_number")
            lines.append(hint or t("question.hint_number", language))
    if question.type in _TYPED and given is not None and not given.skipped:
        answer = format_answer(survey, question, given, language)
        lines.append(t("question.previous_answer", language, answer=answer))
    return Prompt(
        kind="question",
        text="\n\n".join(lines),
        buttons=(*_answer_buttons(survey, question, given, progress), *navigation),
        question_id=question.id,
        position=position,
        expects_text=question.type in _TYPED,
    )


def _current_prompt(survey: Survey, context: Context, progress: Progress) -> Prompt:
    match progress.status:
        case RespondentStatus.LANGUAGE:
            return _language_prompt(_offered(survey, context), progress.role)
        case RespondentStatus.CONSENT:
            return _consent_prompt(survey, context, voice(progress))
        case RespondentStatus.ROLE:
            return _role_prompt(voice(progress))
        case RespondentStatus.COMPLETED:
            return _thanks_prompt(survey, context, voice(progress))
    return _question_prompt(survey, context, progress)


# --- transitions -------------------------------------------------------------------------


def _error(progress: Progress, key: str, **params: object) -> Step:
    return Step(progress=progress, prompt=None, error=t(key, voice(progress), **params))


def _wrong_phase(progress: Progress) -> Step:
    key = {
        RespondentStatus.LANGUAGE: "errors.phase_language",
        RespondentStatus.CONSENT: "errors.phase_consent",
        RespondentStatus.ROLE: "errors.phase_role",
        RespondentStatus.COMPLETED: "errors.already_answered",
    }.get(RespondentStatus(progress.status), "errors.stale_button")
    return _error(progress, key)


def _pending_for(question: Question, given: Given | None) -> tuple[str, ...]:
    if question.type is not QuestionType.MULTI_CHOICE:
        return ()
    return _chosen(given)


def _go_to(
    survey: Survey, context: Context, progress: Progress, question: Question | None
) -> tuple[Progress, Prompt]:
    """Make `question` current (or complete the survey when there is none)."""
    if question is None:
        done = replace(
            progress,
            status=RespondentStatus.COMPLETED,
            current=None,
            pending=(),
            awaiting_other=False,
        )
        return done, _thanks_prompt(survey, context, voice(progress))
    moved = replace(
        progress,
        status=RespondentStatus.IN_PROGRESS,
        current=question.id,
        pending=_pending_for(question, progress.answers.get(question.id)),
        awaiting_other=False,
    )
    return moved, _question_prompt(survey, context, moved)


def _start_questions(
    survey: Survey, context: Context, progress: Progress, acknowledgement: str
) -> Step:
    first = next_question(survey, progress.answers)
    moved, prompt = _go_to(survey, context, progress, first)
    return Step(progress=moved, prompt=prompt, acknowledgement=acknowledgement)


def _save(
    survey: Survey,
    context: Context,
    progress: Progress,
    question: Question,
    given: Given,
    *,
    flagged: bool = False,
) -> Step:
    """Store `given`, drop answers it hides, and move to the next unanswered question."""
    answers = dict(progress.answers)
    answers[question.id] = given
    visible = {q.id for q in visible_questions(survey, answers)}
    removed = tuple(q.id for q in survey.questions if q.id in answers and q.id not in visible)
    for qid in removed:
        del answers[qid]
    updated = replace(progress, answers=answers, pending=(), awaiting_other=False)
    moved, prompt = _go_to(
        survey, context, updated, next_question(survey, answers, after=question.id)
    )
    return Step(
        progress=moved,
        prompt=prompt,
        saved=(question.id, given),
        removed=removed,
        acknowledgement=format_answer(survey, question, given, voice(progress)),
        safeguarding=flagged,
        support=t("safeguarding.support", voice(progress)) if flagged else None,
    )


def _canonical(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _clean_text(text: str, limit: int, progress: Progress) -> str | Step:
    cleaned = text.strip()
    if not cleaned:
        return _error(progress, "errors.text_empty")
    if len(cleaned) > limit:
        return _error(progress, "errors.text_too_long", length=len(cleaned), limit=limit)
    return cleaned


def _parse_number(text: str, question: Question, progress: Progress) -> str | Step:
    """The canonical number in `text`, or the error that tells the respondent how to fix it."""
    raw = text.strip()
    if not _NUMBER.fullmatch(raw):
        key = "errors.number_whole" if question.integer else "errors.number_invalid"
        return _error(progress, key)
    number = Decimal(raw.replace(",", "."))
    if question.integer and number != number.to_integral_value():
        return _error(progress, "errors.number_whole")
    too_low = question.min is not None and number < Decimal(repr(question.min))
    too_high = question.max is not None and number > Decimal(repr(question.max))
    if too_low or too_high:
        error = _range_text(question, voice(progress), "errors.number")
        return Step(progress=progress, prompt=None, error=error)
    return _canonical(number)


def _current_question(survey: Survey, progress: Progress, question_id: str) -> Question | Step:
    """The current question if `question_id` names it; otherwise the stale-button error."""
    if progress.status != RespondentStatus.IN_PROGRESS:
        return _wrong_phase(progress)
    if question_id != progress.current:
        return _error(progress, "errors.stale_button")
    try:
        return survey.question(question_id)
    except KeyError:
        return _error(progress, "errors.stale_button")


def _on_choose(survey: Survey, context: Context, progress: Progress, action: Choose) -> Step:
    question = _current_question(survey, progress, action.question_id)
    if isinstance(question, Step):
        return question
    if question.type not in _CHOOSABLE:
        return _error(progress, "errors.unknown_option")
    if question.type is QuestionType.LIKERT:
        allowed = {str(v) for v in range(1, len(_scale_labels(survey, question, "en")) + 1)}
        if question.not_sure:
            allowed.add(NOT_SURE)
    elif question.type is QuestionType.YES_NO:
        allowed = {"yes", "no"}
    else:
        allowed = {o.id for o in question.options}
    if action.option not in allowed:
        return _error(progress, "errors.unknown_option")
    return _save(survey, context, progress, question, Given(value=action.option))


def _on_toggle(survey: Survey, context: Context, progress: Progress, action: Toggle) -> Step:
    question = _current_question(survey, progress, action.question_id)
    if isinstance(question, Step):
        return question
    ids = _multi_ids(question) if question.type is QuestionType.MULTI_CHOICE else ()
    if action.option not in ids:
        return _error(progress, "errors.unknown_option")
    chosen = set(progress.pending) ^ {action.option}
    pending = tuple(i for i in ids if i in chosen)
    toggled = replace(progress, pending=pending, awaiting_other=False)
    return Step(
        progress=toggled,
        prompt=_question_prompt(survey, context, toggled),
        edit_in_place=True,
    )


def _on_done(survey: Survey, context: Context, progress: Progress, action: Done) -> Step:
    question = _current_question(survey, progress, action.question_id)
    if isinstance(question, Step):
        return question
    given = progress.answers.get(question.id)
    if question.type in _TYPED:
        if given is None or given.skipped:
            return _error(progress, "errors.nothing_to_keep")
        return _save(survey, context, progress, question, given)
    if question.type is not QuestionType.MULTI_CHOICE:
        return _error(progress, "errors.unknown_option")
    if not progress.pending:
        if question.required:
            return _error(progress, "errors.done_empty")
        return _save(survey, context, progress, question, Given(value=None, skipped=True))
    value = json.dumps(list(progress.pending), separators=(",", ":"))
    if OTHER in progress.pending and OTHER not in {o.id for o in question.options}:
        waiting = replace(progress, awaiting_other=True)
        return Step(
            progress=waiting,
            prompt=_question_prompt(survey, context, waiting),
            acknowledgement=format_answer(survey, question, Given(value), voice(progress)),
        )
    return _save(survey, context, progress, question, Given(value=value))


def _on_skip(survey: Survey, context: Context, progress: Progress, action: Skip) -> Step:
    question = _current_question(survey, progress, action.question_id)
    if isinstance(question, Step):
        return question
    if question.required:
        return _error(progress, "errors.skip_required")
    return _save(survey, context, progress, question, Given(value=None, skipped=True))


def _on_back(survey: Survey, context: Context, progress: Progress) -> Step:
    if progress.status != RespondentStatus.IN_PROGRESS:
        return _wrong_phase(progress)
    if progress.awaiting_other:
        choosing = replace(progress, awaiting_other=False)
        return Step(progress=choosing, prompt=_question_prompt(survey, context, choosing))
    visible = visible_questions(survey, progress.answers)
    ids = [q.id for q in visible]
    index = ids.index(progress.current) if progress.current in ids else 0
    if index == 0:
        return _error(progress, "errors.back_first")
    moved, prompt = _go_to(survey, context, progress, visible[index - 1])
    return Step(progress=moved, prompt=prompt)


def _on_reply(survey: Survey, context: Context, progress: Progress, action: Reply) -> Step:
    if progress.status != RespondentStatus.IN_PROGRESS:
        return _wrong_phase(progress)
    if progress.current not in {q.id for q in survey.questions}:
        return _on_show(survey, context, progress)
    question = survey.question(progress.current or "")
    if progress.awaiting_other:
        text = _clean_text(action.text, question.max_length, progress)
        if isinstance(text, Step):
            return text
        risk = safeguarding.assess(text)
        value = json.dumps(list(progress.pending), separators=(",", ":"))
        given = Given(value=value, text=text, flagged=risk.flagged)
        return _save(survey, context, progress, question, given, flagged=risk.flagged)
    if question.type is QuestionType.TEXT:
        text = _clean_text(action.text, question.max_length, progress)
        if isinstance(text, Step):
            return text
        risk = safeguarding.assess(text)
        given = Given(value=None, text=text, flagged=risk.flagged)
        return _save(survey, context, progress, question, given, flagged=risk.flagged)
    if question.type is QuestionType.NUMBER:
        number = _parse_number(action.text, question, progress)
        if isinstance(number, Step):
            return number
        return _save(survey, context, progress, question, Given(value=number))
    return _error(progress, "errors.tap_button")


def _on_language(survey: Survey, context: Context, progress: Progress, code: str) -> Step:
    offered = _offered(survey, context)
    if code not in offered:
        return _error(progress, "language.unavailable")
    switched = replace(progress, language=code)
    acknowledgement = t("language.name", code)
    if progress.status == RespondentStatus.LANGUAGE:
        switched = replace(switched, status=RespondentStatus.CONSENT)
    if switched.status == RespondentStatus.COMPLETED:
        return Step(progress=switched, prompt=None, acknowledgement=acknowledgement)
    prompt = _current_prompt(survey, context, switched)
    return Step(progress=switched, prompt=prompt, acknowledgement=acknowledgement)


def _on_show(survey: Survey, context: Context, progress: Progress) -> Step:
    if progress.status == RespondentStatus.IN_PROGRESS:
        visible = {q.id for q in visible_questions(survey, progress.answers)}
        if progress.current not in visible:
            # Only reachable with progress saved by something other than this engine.
            moved, prompt = _go_to(
                survey, context, progress, next_question(survey, progress.answers)
            )
            return Step(progress=moved, prompt=prompt)
    return Step(progress=progress, prompt=_current_prompt(survey, context, progress))


def _on_consent(survey: Survey, context: Context, progress: Progress, agree: bool) -> Step:
    if progress.status != RespondentStatus.CONSENT:
        return _wrong_phase(progress)
    language = voice(progress)
    if not agree:
        prompt = Prompt(kind="declined", text=t("declined.text", language))
        acknowledgement = t("consent.decline", language)
        return Step(
            progress=progress, prompt=prompt, acknowledgement=acknowledgement, declined=True
        )
    acknowledgement = t("consent.start", language)
    if context.audience == "any":
        asking = replace(progress, status=RespondentStatus.ROLE)
        return Step(progress=asking, prompt=_role_prompt(language), acknowledgement=acknowledgement)
    return _start_questions(survey, context, progress, acknowledgement)


def _on_role(survey: Survey, context: Context, progress: Progress, role: str) -> Step:
    if progress.status != RespondentStatus.ROLE:
        return _wrong_phase(progress)
    if role not in ROLES:
        return _error(progress, "errors.phase_role")
    chosen = replace(progress, role=role)
    return _start_questions(survey, context, chosen, t(f"role.{role}", voice(chosen)))


# --- the contract ------------------------------------------------------------------------


def begin(survey: Survey, context: Context, *, language: str | None = None) -> Step:
    """The first step of a new respondent: the language question, or the consent text.

    `language` (e.g. the Telegram client's language, or a deep-link choice) skips the
    language question when the campaign offers it; "es-MX" counts as "es".
    """
    offered = _offered(survey, context)
    chosen = _match_language(language, offered)
    default = _match_language(context.default_language, offered) or offered[0]
    role = context.audience if context.audience in ROLES else None
    if chosen is None and len(offered) > 1:
        progress = Progress(
            status=RespondentStatus.LANGUAGE, language=default, role=role, current=None, answers={}
        )
        return Step(progress=progress, prompt=_language_prompt(offered, role))
    progress = Progress(
        status=RespondentStatus.CONSENT,
        language=chosen or default,
        role=role,
        current=None,
        answers={},
    )
    return Step(progress=progress, prompt=_consent_prompt(survey, context, voice(progress)))


def advance(survey: Survey, context: Context, progress: Progress, action: Action) -> Step:
    """The step that follows `action`; on bad input, `progress` unchanged and an `error`."""
    if isinstance(action, SetLanguage):
        return _on_language(survey, context, progress, action.code)
    if progress.status == RespondentStatus.COMPLETED:
        return _error(progress, "errors.already_answered")
    match action:
        case Show():
            return _on_show(survey, context, progress)
        case Consent(agree=agree):
            return _on_consent(survey, context, progress, agree)
        case SetRole(role=role):
            return _on_role(survey, context, progress, role)
        case Choose():
            return _on_choose(survey, context, progress, action)
        case Toggle():
            return _on_toggle(survey, context, progress, action)
        case Done():
            return _on_done(survey, context, progress, action)
        case Skip():
            return _on_skip(survey, context, progress, action)
        case Back():
            return _on_back(survey, context, progress)
        case Reply():
            return _on_reply(survey, context, progress, action)
    raise TypeError(f"not an engine action: {action!r}")
