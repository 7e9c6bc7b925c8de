"""What the loader accepts, Telegram can show.

Telegram refuses a message over 4,096 characters, and a campaign whose consent
message is too long leaves every respondent stuck at the first step. The limits
of each text alone (3,000 characters) cannot see that: the consent message joins
the title, the intro, the consent and the privacy statement, a question carries
its position and hints, and the thanks carries the follow-up. So every message is
composed here by the engine itself, in every language and register, with the
longest values a campaign can add (its organization's name, a typed answer), and
measured.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from surveys import engine
from surveys.definition import Question, QuestionType, Survey
from surveys.engine import Context, Given, Progress, Prompt
from surveys.errors import ChorusError
from surveys.i18n import t
from surveys.status import RespondentStatus

MESSAGE_LIMIT = 4096
"""Characters in one Telegram message."""
BUTTON_LABEL_LIMIT = 64
"""Characters on one button. Telegram elides longer labels in the middle, so the
respondent could not read the answer they tap."""
KEYBOARD_LIMIT = 100
"""Buttons under one message."""
ORGANIZATION_LIMIT = 200
"""The longest organization name a campaign stores (`campaign.organization`)."""
LONGEST_NUMBER = "-999999999999999,999999"
"""A typed number as the engine echoes it back; longer ones are not sensible answers."""


class MessageTooLong(ChorusError, ValueError):
    """A message or button the engine would compose is longer than Telegram takes."""

    def __init__(self, reason: str, question: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.question = question


@dataclass(frozen=True)
class _Composed:
    what: str
    voice: str
    text: str
    buttons: tuple[str, ...] = ()
    question: str | None = None


def check_fits(
    survey: Survey,
    *,
    organization: str | None = None,
    follow_up: Mapping[str, str] | None = None,
) -> None:
    """Raise `MessageTooLong` naming the first message or button Telegram would refuse.

    Without an `organization`, a name of the longest length a campaign can store is
    assumed, so a survey that passes fits every campaign of it.
    """
    context_for = _contexts(survey, organization or "W" * ORGANIZATION_LIMIT, follow_up)
    for composed in _compose_all(survey, context_for):
        where = _where(composed.voice)
        if len(composed.text) > MESSAGE_LIMIT:
            raise MessageTooLong(
                f"{composed.what} in {where} is {len(composed.text):,} characters; "
                f"Telegram shows at most {MESSAGE_LIMIT:,}, so shorten it",
                composed.question,
            )
        if len(composed.buttons) > KEYBOARD_LIMIT:
            raise MessageTooLong(
                f"{composed.what} has {len(composed.buttons)} buttons; "
                f"Telegram shows at most {KEYBOARD_LIMIT}",
                composed.question,
            )
        for label in composed.buttons:
            if len(label) > BUTTON_LABEL_LIMIT:
                raise MessageTooLong(
                    f"the button {label[:30]!r}... in {where} is {len(label)} characters; "
                    f"a button shows at most {BUTTON_LABEL_LIMIT}, so shorten the label",
                    composed.question,
                )


def _where(voice: str) -> str:
    language, _, register = voice.partition("@")
    return f"{language!r} ({register} register)" if register else repr(language)


def _contexts(
    survey: Survey, organization: str, follow_up: Mapping[str, str] | None
) -> dict[str, Context]:
    return {
        language: Context(
            organization=organization,
            languages=survey.languages,
            default_language=language,
            audience=survey.audience,
            follow_up=follow_up,
        )
        for language in survey.languages
    }


def _progresses(survey: Survey, language: str) -> Iterator[Progress]:
    """A respondent in `language` in each register: addressed as a student and formally."""
    for role in ("student", None):
        yield Progress(RespondentStatus.CONSENT, language, role, None, {})


def _compose_all(survey: Survey, contexts: Mapping[str, Context]) -> Iterator[_Composed]:
    for language, context in contexts.items():
        for progress in _progresses(survey, language):
            voice = engine.voice(progress)
            yield from _fixed(survey, context, progress, voice)
            for question in survey.questions:
                yield from _question(survey, context, progress, question)


def _prompt(what: str, voice: str, prompt: Prompt, question: str | None = None) -> _Composed:
    # The longest a label gets: marked as the answer already given ("✅ ...").
    labels = tuple(t("buttons.selected", voice, label=b.label) for b in prompt.buttons)
    return _Composed(what, voice, prompt.text, labels, question)


def _fixed(survey: Survey, context: Context, progress: Progress, voice: str) -> Iterator[_Composed]:
    """The messages every respondent may see outside the questions."""
    if len(survey.languages) > 1:
        prompt = engine._language_prompt(survey.languages, progress.role)
        yield _prompt("the language question", voice, prompt)
    yield _prompt(
        f"the consent message (title, intro, consent and the privacy statement, with a "
        f"{len(context.organization)}-character organization name)",
        voice,
        engine._consent_prompt(survey, context, voice),
    )
    if survey.audience == "any":
        yield _prompt("the role question", voice, engine._role_prompt(voice))
    what = (
        "the thanks message (thanks and the follow-up message)"
        if context.follow_up
        else ("the thanks message")
    )
    yield _prompt(what, voice, engine._thanks_prompt(survey, context, voice))
    # What a disclosure gets first (`Step.support`), in the respondent's register.
    yield _Composed("the crisis-resources message", voice, t("safeguarding.support", voice))


def _question(
    survey: Survey, context: Context, progress: Progress, question: Question
) -> Iterator[_Composed]:
    """A question's message, with a previous answer shown, and as the bot edits it once answered.

    The position is composed as "N/N" with N the number of questions, its widest form.
    """
    voice = engine.voice(progress)
    given = _longest_answer(survey, question, voice)
    answers = {question.id: given} if question.type in engine._TYPED else {}
    pending = engine._multi_ids(question) if question.type is QuestionType.MULTI_CHOICE else ()
    asking = Progress(
        RespondentStatus.IN_PROGRESS, progress.language, progress.role, question.id, answers,
        pending=pending,
    )  # fmt: skip
    prompt = engine._question_prompt(survey, context, asking)
    total = str(len(survey.questions))
    shown = t("question.position", voice, number=total, total=total)
    header = (
        t("question.position", voice, number=prompt.position[0], total=prompt.position[1])
        if (prompt.position)
        else shown
    )
    text = shown + prompt.text.removeprefix(header)
    what = "the question message (with its hints)"
    yield _Composed(what, voice, text, _prompt(what, voice, prompt).buttons, question.id)
    answer = engine.format_answer(survey, question, given, voice)
    answered = t("bot.answered", voice, question=text, answer=answer)
    yield _Composed("the question message with the answer added", voice, answered, (), question.id)
    if question.type is QuestionType.MULTI_CHOICE and question.other:
        other = engine._question_prompt(survey, context, replace(asking, awaiting_other=True))
        yield _prompt("the 'Other' prompt", voice, other, question.id)
    error = engine._range_text(question, voice, "errors.number")
    if error is not None:
        yield _Composed("the number-range error", voice, error, (), question.id)


def _longest_answer(survey: Survey, question: Question, voice: str) -> Given:
    """The answer whose echo is longest: every option chosen, the longest typed text."""
    match question.type:
        case QuestionType.MULTI_CHOICE:
            ids = engine._multi_ids(question)
            value = "[" + ",".join(f'"{i}"' for i in ids) + "]"
            return Given(value=value, text="W" * question.max_length)
        case QuestionType.NUMBER:
            return Given(value=LONGEST_NUMBER.replace(",", "."))
        case QuestionType.TEXT:
            return Given(value=None, text="W" * question.max_length)
        case QuestionType.LIKERT:
            labels = engine._scale_labels(survey, question, voice)
            longest = max(range(len(labels)), key=lambda i: len(labels[i]))
            return Given(value=str(longest + 1))
        case QuestionType.SINGLE_CHOICE:
            option = max(
                question.options, key=lambda o: len(engine._localized(o.label, voice, "en"))
            )
            return Given(value=option.id)
    return Given(value="yes")
