from pathlib import Path

import pytest

from surveys.definition import Survey
from surveys.engine import (
    Action,
    Back,
    Button,
    Choose,
    Consent,
    Context,
    Done,
    Given,
    Progress,
    Prompt,
    Reply,
    SetLanguage,
    SetRole,
    Show,
    Skip,
    Step,
    Toggle,
    advance,
    begin,
    format_answer,
    next_question,
    visible_questions,
    voice,
)
from surveys.i18n import t
from surveys.loader import load_survey_file
from surveys.models import RespondentStatus

FIXTURE = Path(__file__).parents[1] / "fixtures" / "engine" / "survey.yaml"
SURVEY = load_survey_file(FIXTURE)
CONTEXT = Context(
    organization="Casa Aurora", languages=("en", "es"), default_language="en", audience="student"
)
CONSENT_EN = "Your answers help the school plan next year."


def walk(
    *actions: Action,
    language: str = "en",
    context: Context = CONTEXT,
    survey: Survey = SURVEY,
) -> Step:
    """Consent, then every action in turn, failing on the first validation error."""
    step = advance(
        survey, context, begin(survey, context, language=language).progress, Consent(True)
    )
    for action in actions:
        step = advance(survey, context, step.progress, action)
        assert step.error is None, f"{action}: {step.error}"
    return step


def attempt(
    step: Step, action: Action, survey: Survey = SURVEY, context: Context = CONTEXT
) -> Step:
    return advance(survey, context, step.progress, action)


def labels(prompt: Prompt | None) -> list[str]:
    assert prompt is not None
    return [b.label for b in prompt.buttons]


def rejected(step: Step, action: Action, survey: Survey = SURVEY) -> str:
    """The error `action` gets at `step`, checking nothing was stored or moved."""
    after = attempt(step, action, survey)
    assert after.progress == step.progress
    assert after.saved is None
    assert after.removed == ()
    assert after.prompt is None
    assert after.error is not None
    return after.error


# Paths through the fixture.
CLUB_YES = (Choose("known", "4"), Choose("club", "yes"))
TO_PLAN_YES = (*CLUB_YES, Reply("3"), Reply("Robotics Club"))
TO_NEEDS_YES = (*TO_PLAN_YES, Choose("plan", "college"))
TO_PLAN_NO = (Choose("known", "4"), Choose("club", "no"))


# --- start: language, consent, role -------------------------------------------------------


def test_begin_asks_for_a_language_when_several_are_offered() -> None:
    step = begin(SURVEY, CONTEXT)
    assert step.progress == Progress(
        status=RespondentStatus.LANGUAGE, language="en", role="student", current=None, answers={}
    )
    assert step.prompt == Prompt(
        kind="language",
        text="Which language would you like to use?\n¿En qué idioma prefieres contestar?",
        buttons=(Button("English", SetLanguage("en")), Button("Español", SetLanguage("es"))),
    )


def test_begin_goes_straight_to_consent_with_one_language() -> None:
    context = Context("Casa Aurora", languages=("es",), default_language="es", audience="student")
    step = begin(SURVEY, context)
    assert step.progress.status == RespondentStatus.CONSENT
    assert step.progress.language == "es"
    assert step.prompt is not None and step.prompt.kind == "consent"
    assert labels(step.prompt) == ["Empezar", "No, gracias"]


def test_begin_with_a_known_language_skips_the_question() -> None:
    step = begin(SURVEY, CONTEXT, language="es-MX")
    assert step.progress.status == RespondentStatus.CONSENT
    assert step.progress.language == "es"


def test_begin_ignores_a_language_the_campaign_does_not_offer() -> None:
    step = begin(SURVEY, CONTEXT, language="fr")
    assert step.progress.status == RespondentStatus.LANGUAGE


def test_choosing_a_language_shows_the_consent_text() -> None:
    step = advance(SURVEY, CONTEXT, begin(SURVEY, CONTEXT).progress, SetLanguage("en"))
    assert step.acknowledgement == "English"
    assert step.progress.status == RespondentStatus.CONSENT
    prompt = step.prompt
    assert prompt is not None and prompt.kind == "consent"
    assert prompt.text.startswith(
        "After-school check-in\n\nA few questions about school and what comes next.\n\n"
        f"{CONSENT_EN}\n\nBefore you start"
    )
    for promise in (
        "confidential, but not anonymous",
        "this bot can see your Telegram account",
        "Casa Aurora and the school only see results grouped",
        "never your name",
        "voluntary",
        "skip any question and stop at any time",
        "/delete",
        "If you write that you or another person is in danger, a designated adult at "
        "Casa Aurora is told, so they can help.",
        "the only time confidentiality ends",
    ):
        assert promise in prompt.text
    assert prompt.text.endswith("Would you like to start?")
    assert prompt.buttons == (
        Button("Start", Consent(agree=True)),
        Button("No thanks", Consent(agree=False)),
    )


def test_the_consent_text_in_spanish() -> None:
    step = begin(SURVEY, CONTEXT, language="es")
    assert step.prompt is not None
    assert "Tus respuestas ayudan a la escuela a planear el próximo año." in step.prompt.text
    assert "confidenciales, pero no anónimas" in step.prompt.text
    assert "Casa Aurora y la escuela solo ven resultados agrupados" in step.prompt.text
    assert (
        "Si escribes que tú u otra persona están en peligro, se le avisa a un adulto designado "
        "de Casa Aurora, para que pueda ayudar." in step.prompt.text
    )


def test_the_consent_text_to_families_states_the_limit_of_confidentiality_with_usted() -> None:
    step = begin(SURVEY, CAREGIVERS, language="es")
    assert step.prompt is not None
    assert (
        "Si escribe que usted u otra persona están en peligro, se le avisa a un adulto designado "
        "de Casa Aurora, para que pueda ayudar." in step.prompt.text
    )
    assert "escribes" not in step.prompt.text and " tú " not in step.prompt.text


CAREGIVERS = Context("Casa Aurora", ("en", "es"), "en", audience="caregiver")


def test_families_are_addressed_as_usted_in_spanish() -> None:
    survey = SURVEY.model_copy(update={"audience": "caregiver"})
    step = begin(survey, CAREGIVERS, language="es")
    assert step.progress.role == "caregiver"
    assert step.prompt is not None
    assert "Antes de empezar, le contamos cómo cuidamos sus respuestas:" in step.prompt.text
    assert "Sus respuestas son confidenciales" in step.prompt.text
    assert step.prompt.text.endswith("¿Desea empezar?")
    assert "este bot puede ver su cuenta de Telegram" in step.prompt.text
    step = advance(survey, CAREGIVERS, step.progress, Consent(True))
    assert rejected(step, Reply("hola"), survey) == "Por favor, toque uno de los botones de arriba."
    step = advance(survey, CAREGIVERS, step.progress, Choose("known", "3"))
    step = advance(survey, CAREGIVERS, step.progress, Choose("club", "yes"))
    assert step.prompt is not None
    assert step.prompt.text.endswith("Escriba un número del 1 al 5 y envíelo como mensaje.")
    declined = advance(
        survey, CAREGIVERS, begin(survey, CAREGIVERS, language="es").progress, Consent(False)
    )
    assert declined.prompt is not None
    assert declined.prompt.text.startswith("No hay problema, gracias por avisarnos. No le haremos")


def test_an_any_audience_campaign_switches_to_tu_once_a_student_says_so() -> None:
    context = Context("Casa Aurora", ("en", "es"), "en", audience="any")
    consent = begin(SURVEY, context, language="es")
    assert consent.progress.role is None
    assert consent.prompt is not None and consent.prompt.text.endswith("¿Desea empezar?")
    role = advance(SURVEY, context, consent.progress, Consent(True))
    assert role.prompt is not None
    assert role.prompt.text == "¿Contesta usted como estudiante, o como madre, padre o cuidador?"
    student = advance(SURVEY, context, role.progress, SetRole("student"))
    assert advance(SURVEY, context, student.progress, Reply("hola")).error == (
        "Por favor, toca uno de los botones de arriba."
    )


def test_voice() -> None:
    student = Progress(RespondentStatus.IN_PROGRESS, "es", "student", "known", {})
    assert voice(student) == "es"
    assert voice(Progress(RespondentStatus.IN_PROGRESS, "es", "caregiver", "known", {})) == (
        "es@formal"
    )
    assert voice(Progress(RespondentStatus.ROLE, "en", None, None, {})) == "en@formal"


def test_declining_stores_nothing_and_says_goodbye() -> None:
    start = begin(SURVEY, CONTEXT, language="en")
    step = advance(SURVEY, CONTEXT, start.progress, Consent(False))
    assert step.declined is True
    assert step.saved is None
    assert step.progress == start.progress
    assert step.acknowledgement == "No thanks"
    assert step.prompt == Prompt(
        kind="declined",
        text="No problem, thank you for letting us know. We won't ask you any questions.\n"
        "If you change your mind, just send /start.",
    )


def test_agreeing_starts_the_first_question_with_the_audience_as_role() -> None:
    step = walk()
    assert step.acknowledgement == "Start"
    assert step.progress.status == RespondentStatus.IN_PROGRESS
    assert step.progress.role == "student"
    assert step.progress.current == "known"


def test_an_any_audience_campaign_asks_the_role() -> None:
    context = Context("Casa Aurora", ("en", "es"), "en", audience="any")
    start = begin(SURVEY, context, language="en")
    step = advance(SURVEY, context, start.progress, Consent(True))
    assert step.progress.status == RespondentStatus.ROLE
    assert step.prompt is not None and step.prompt.kind == "role"
    assert [b.action for b in step.prompt.buttons] == [SetRole("student"), SetRole("caregiver")]
    assert labels(step.prompt) == ["I'm a student", "I'm a parent or caregiver"]

    forged = advance(SURVEY, context, step.progress, SetRole("teacher"))
    assert forged.error == (
        "Please tell us first whether you are a student or a parent or caregiver."
    )
    early = advance(SURVEY, context, step.progress, Choose("known", "3"))
    assert early.error == forged.error

    chosen = advance(SURVEY, context, step.progress, SetRole("caregiver"))
    assert chosen.progress.role == "caregiver"
    assert chosen.progress.current == "known"
    assert chosen.acknowledgement == "I'm a parent or caregiver"


# --- a whole conversation -----------------------------------------------------------------


def test_the_whole_survey_in_english() -> None:
    step = walk()
    assert step.prompt == Prompt(
        kind="question",
        text="1/6\nHow well do adults at your school know you as a person?",
        buttons=(
            Button("Not at all well", Choose("known", "1")),
            Button("Slightly well", Choose("known", "2")),
            Button("Somewhat well", Choose("known", "3")),
            Button("Quite well", Choose("known", "4")),
            Button("Extremely well", Choose("known", "5")),
            Button("Not sure", Choose("known", "not_sure")),
        ),
        question_id="known",
        position=(1, 6),
    )

    step = attempt(step, Choose("known", "4"))
    assert step.saved == ("known", Given("4"))
    assert step.acknowledgement == "Quite well"
    assert step.prompt is not None and step.prompt.position == (2, 6)
    assert step.prompt.text == "2/6\nDo you go to an after-school program?"
    assert [b.action for b in step.prompt.buttons] == [
        Choose("club", "yes"),
        Choose("club", "no"),
        Skip("club"),
        Back(),
    ]
    assert labels(step.prompt) == ["Yes", "No", "Skip", "Back"]

    # "yes" shows two more questions: 8 in all now.
    step = attempt(step, Choose("club", "yes"))
    assert step.prompt == Prompt(
        kind="question",
        text="3/8\nHow many days a week do you go?\n\n"
        "Type a number from 1 to 5 and send it as a message.",
        buttons=(Button("Skip", Skip("club_days")), Button("Back", Back())),
        question_id="club_days",
        position=(3, 8),
        expects_text=True,
    )

    step = attempt(step, Reply(" 3 "))
    assert step.saved == ("club_days", Given("3"))
    assert step.acknowledgement == "3"
    assert step.prompt is not None
    assert step.prompt.text == (
        "4/8\nWhat is the program called?\n\nType your answer and send it as a message."
    )

    step = attempt(step, Reply("  Robotics Club \n"))
    assert step.saved == ("club_name", Given(None, text="Robotics Club"))
    assert step.acknowledgement == "Robotics Club"
    assert labels(step.prompt) == ["College", "A trade", "Work", "Not sure yet", "Skip", "Back"]

    step = attempt(step, Choose("plan", "college"))
    assert step.acknowledgement == "College"
    assert step.prompt is not None
    assert step.prompt.text == "6/8\nWhat would help you get there?\n\n" + (
        "Choose all that apply, then tap Done."
    )
    # Required: no Skip.
    assert labels(step.prompt) == ["Tutoring", "A mentor", "An internship", "Other", "Done", "Back"]

    step = attempt(step, Toggle("needs", "tutoring"))
    assert step.edit_in_place is True
    assert step.saved is None
    assert step.progress.pending == ("tutoring",)
    assert step.prompt is not None
    assert step.prompt.buttons[0] == Button("✅ Tutoring", Toggle("needs", "tutoring"), True)

    step = attempt(step, Toggle("needs", "other"))
    assert step.progress.pending == ("tutoring", "other")
    step = attempt(step, Done("needs"))
    assert step.saved is None
    assert step.progress.awaiting_other is True
    assert step.acknowledgement == "Tutoring, Other"
    assert step.prompt == Prompt(
        kind="question",
        text="6/8\nYou chose “Other”. Please type what you mean and send it as a message.",
        buttons=(Button("Back", Back()),),
        question_id="needs",
        position=(6, 8),
        expects_text=True,
    )

    step = attempt(step, Reply("A robotics mentor"))
    assert step.saved == ("needs", Given('["tutoring","other"]', text="A robotics mentor"))
    assert step.acknowledgement == "Tutoring, Other: A robotics mentor"
    assert step.progress.pending == ()
    assert step.progress.awaiting_other is False
    assert step.prompt is not None
    assert step.prompt.text == (
        "7/8\nHow many hours do you sleep on a school night?\n\n"
        "Type a number from 0 to 24 and send it as a message."
    )

    step = attempt(step, Reply("7,5"))
    assert step.saved == ("sleep", Given("7.5"))
    assert step.acknowledgement == "7.5"

    step = attempt(step, Reply("More clubs please"))
    assert step.saved == ("idea", Given(None, text="More clubs please"))
    assert step.prompt == Prompt(
        kind="thanks",
        text="Thank you for your answers!\n\nIf you ever want your answers erased, send /delete.",
    )
    assert step.progress == Progress(
        status=RespondentStatus.COMPLETED,
        language="en",
        role="student",
        current=None,
        answers={
            "known": Given("4"),
            "club": Given("yes"),
            "club_days": Given("3"),
            "club_name": Given(None, text="Robotics Club"),
            "plan": Given("college"),
            "needs": Given('["tutoring","other"]', text="A robotics mentor"),
            "sleep": Given("7.5"),
            "idea": Given(None, text="More clubs please"),
        },
    )


def test_the_whole_survey_in_spanish_with_a_follow_up() -> None:
    context = Context(
        "Casa Aurora",
        ("en", "es"),
        "en",
        "student",
        follow_up={"en": "Join us on May 3.", "es": "Te esperamos el 3 de mayo."},
    )
    step = walk(language="es", context=context)
    assert step.prompt is not None
    assert (
        step.prompt.text == "1/6\n¿Qué tan bien te conocen como persona los adultos de tu escuela?"
    )
    assert labels(step.prompt) == [
        "Nada bien",
        "Un poco bien",
        "Más o menos bien",
        "Bastante bien",
        "Muy bien",
        "No sé",
    ]
    step = attempt(step, Choose("known", "not_sure"), context=context)
    assert step.acknowledgement == "No sé"
    assert labels(step.prompt) == ["Sí", "No", "Saltar", "Atrás"]

    step = attempt(step, Choose("club", "no"), context=context)
    assert step.acknowledgement == "No"
    assert step.prompt is not None and step.prompt.question_id == "plan"
    assert step.prompt.position == (3, 6)

    step = attempt(step, Skip("plan"), context=context)
    assert step.saved == ("plan", Given(None, skipped=True))
    assert step.acknowledgement == "Sin respuesta"

    step = attempt(step, Toggle("needs", "mentoring"), context=context)
    assert labels(step.prompt)[:5] == [
        "Tutorías",
        "✅ Un mentor",
        "Una pasantía",
        "Otra",
        "Listo",
    ]
    step = attempt(step, Done("needs"), context=context)
    assert step.saved == ("needs", Given('["mentoring"]'))
    assert step.acknowledgement == "Un mentor"
    assert step.prompt is not None
    assert step.prompt.text == (
        "5/6\n¿Cuántas horas duermes en una noche entre semana?\n\n"
        "Escribe un número del 0 al 24 y envíalo como mensaje."
    )

    step = attempt(step, Reply("8,5"), context=context)
    assert step.saved == ("sleep", Given("8.5"))
    assert step.acknowledgement == "8,5"

    step = attempt(step, Skip("idea"), context=context)
    assert step.progress.status == RespondentStatus.COMPLETED
    assert step.prompt == Prompt(
        kind="thanks",
        text="¡Gracias por tus respuestas!\n\n"
        "Si algún día quieres que borremos tus respuestas, envía /delete.\n\n"
        "Te esperamos el 3 de mayo.",
    )
    assert dict(step.progress.answers) == {
        "known": Given("not_sure"),
        "club": Given("no"),
        "plan": Given(None, skipped=True),
        "needs": Given('["mentoring"]'),
        "sleep": Given("8.5"),
        "idea": Given(None, skipped=True),
    }


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("three", "Please type a whole number, like 12."),
        ("2.5", "Please type a whole number, like 12."),
        ("3 days", "Please type a whole number, like 12."),
        ("9", "Please type a number from 1 to 5."),
        ("0", "Please type a number from 1 to 5."),
        ("-2", "Please type a number from 1 to 5."),
    ],
)
def test_bad_whole_numbers_are_explained(typed: str, error: str) -> None:
    assert rejected(walk(*CLUB_YES), Reply(typed)) == error


TO_SLEEP = (*TO_PLAN_NO, Skip("plan"), Toggle("needs", "tutoring"), Done("needs"))


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("lots", "Please type just a number, like 12 or 3.5."),
        ("7.5.1", "Please type just a number, like 12 or 3.5."),
        ("1,000,000", "Please type just a number, like 12 or 3.5."),
        ("25", "Please type a number from 0 to 24."),
        ("-0.5", "Please type a number from 0 to 24."),
    ],
)
def test_bad_decimal_numbers_are_explained(typed: str, error: str) -> None:
    assert rejected(walk(*TO_SLEEP), Reply(typed)) == error


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("12", "12"), (" 12 ", "12"), ("3,5", "3.5"), ("8.50", "8.5"), ("9.0", "9"), ("0", "0")],
)
def test_numbers_are_stored_in_canonical_form(typed: str, stored: str) -> None:
    step = attempt(walk(*TO_SLEEP), Reply(typed))
    assert step.saved == ("sleep", Given(stored))


def test_number_errors_in_spanish_use_a_decimal_comma() -> None:
    survey = _with_question(SURVEY, "sleep", min=0.5, max=None)
    step = walk(*TO_SLEEP, language="es", survey=survey)
    assert step.prompt is not None
    assert step.prompt.text.endswith("Escribe un número (0,5 o más) y envíalo como mensaje.")
    assert rejected(step, Reply("0,2"), survey) == (
        "Por favor, escribe un número igual o mayor que 0,5."
    )


def test_a_number_with_only_a_maximum() -> None:
    survey = _with_question(SURVEY, "sleep", min=None, max=24)
    step = walk(*TO_SLEEP, survey=survey)
    assert rejected(step, Reply("30"), survey) == "Please type a number that is 24 or less."
    assert attempt(step, Reply("-3"), survey).saved == ("sleep", Given("-3"))


def _with_question(survey: Survey, question_id: str, **changes: object) -> Survey:
    questions = tuple(
        q.model_copy(update=changes) if q.id == question_id else q for q in survey.questions
    )
    return survey.model_copy(update={"questions": questions})


def test_empty_and_too_long_text_are_explained() -> None:
    step = walk(*CLUB_YES, Reply("3"))
    assert step.progress.current == "club_name"
    assert rejected(step, Reply("   \n ")) == (
        "Your message was empty. Please type your answer and send it again."
    )
    assert rejected(step, Reply("x" * 41)) == (
        "Your answer is 41 characters long and the limit is 40. "
        "Please shorten it and send it again."
    )
    # Exactly the limit is fine, after trimming the spaces around it.
    assert attempt(step, Reply(" " + "x" * 40 + " ")).saved == ("club_name", Given(None, "x" * 40))


def test_text_is_refused_where_buttons_are_expected() -> None:
    step = walk(Choose("known", "4"))
    assert rejected(step, Reply("yes")) == "Please tap one of the buttons above."


def test_buttons_from_an_earlier_question_are_never_stored() -> None:
    step = walk(*CLUB_YES)
    stale = "That button is from an earlier question. Please answer the latest question."
    assert rejected(step, Choose("known", "2")) == stale
    assert rejected(step, Choose("club", "no")) == stale
    assert rejected(step, Skip("known")) == stale
    assert rejected(step, Toggle("needs", "tutoring")) == stale
    assert rejected(step, Done("needs")) == stale
    assert rejected(step, Choose("nosuch", "1")) == stale


def test_forged_options_are_refused() -> None:
    unknown = "That option isn't available. Please tap one of the buttons on the latest question."
    first = walk()
    assert rejected(first, Choose("known", "6")) == unknown
    assert rejected(first, Choose("known", "0")) == unknown
    assert rejected(first, Toggle("known", "1")) == unknown
    assert rejected(walk(Choose("known", "1")), Choose("club", "maybe")) == unknown
    needs = walk(*TO_NEEDS_YES)
    assert rejected(needs, Toggle("needs", "college")) == unknown
    assert rejected(needs, Choose("needs", "tutoring")) == unknown
    plan = walk(*TO_PLAN_YES)
    assert rejected(plan, Choose("plan", "tutoring")) == unknown
    assert rejected(plan, Choose("plan", "not_sure")) == unknown


def test_a_required_question_cannot_be_skipped() -> None:
    assert rejected(walk(), Skip("known")) == (
        "This question needs an answer, so it can't be skipped. Please choose an option."
    )


def test_there_is_no_going_back_from_the_first_question() -> None:
    assert rejected(walk(), Back()) == (
        "This is the first question, so there is nothing to go back to."
    )


def test_actions_in_the_wrong_phase_are_refused() -> None:
    language = begin(SURVEY, CONTEXT)
    consent = begin(SURVEY, CONTEXT, language="en")
    first = walk()
    assert rejected(language, Consent(True)) == (
        "Please choose a language first, using the buttons above."
    )
    assert rejected(language, Reply("hello")) == rejected(language, Consent(True))
    to_consent = "Please tap Start to begin, or No thanks if you'd rather not take part."
    assert rejected(consent, Choose("known", "4")) == to_consent
    assert rejected(consent, Reply("4")) == to_consent
    assert rejected(consent, Back()) == to_consent
    assert rejected(consent, SetRole("student")) == to_consent
    stale = "That button is from an earlier question. Please answer the latest question."
    assert rejected(first, Consent(True)) == stale
    assert rejected(first, Consent(False)) == stale
    assert rejected(first, SetRole("caregiver")) == stale


def test_after_completion_everything_says_already_answered() -> None:
    done = walk(*TO_SLEEP, Reply("8"), Skip("idea"))
    assert done.progress.status == RespondentStatus.COMPLETED
    answered = "You have already answered this survey. Thank you!"
    for action in (
        Show(),
        Reply("hello"),
        Choose("idea", "1"),
        Skip("idea"),
        Back(),
        Consent(True),
        Toggle("needs", "tutoring"),
    ):
        assert rejected(done, action) == answered
    switched = attempt(done, SetLanguage("es"))
    assert switched.progress == Progress(
        status=RespondentStatus.COMPLETED,
        language="es",
        role="student",
        current=None,
        answers=done.progress.answers,
    )
    assert switched.prompt is None
    assert switched.acknowledgement == "Español"
    assert rejected(switched, Show()) == "Ya contestaste esta encuesta. ¡Gracias!"


# --- navigation ---------------------------------------------------------------------------


def test_back_skips_hidden_questions_and_marks_the_answer() -> None:
    step = walk(*TO_PLAN_NO)
    assert step.prompt is not None and step.prompt.position == (3, 6)
    step = attempt(step, Back())
    assert step.saved is None
    assert step.progress.current == "club"
    assert step.prompt is not None and step.prompt.position == (2, 6)
    assert step.prompt.buttons[:2] == (
        Button("Yes", Choose("club", "yes")),
        Button("✅ No", Choose("club", "no"), selected=True),
    )


def test_changing_an_answer_removes_answers_it_hides() -> None:
    step = walk(*TO_NEEDS_YES)
    for expected in ("plan", "club_name", "club_days", "club"):
        step = attempt(step, Back())
        assert step.progress.current == expected
    step = attempt(step, Choose("club", "no"))
    assert step.saved == ("club", Given("no"))
    assert step.removed == ("club_days", "club_name")
    assert set(step.progress.answers) == {"known", "club", "plan"}
    # Straight on to the first question still unanswered, not back through "plan".
    assert step.progress.current == "needs"
    assert step.prompt is not None and step.prompt.position == (4, 6)


def test_reanswering_the_same_way_removes_nothing() -> None:
    step = walk(*TO_NEEDS_YES, Back(), Back(), Back(), Back())
    step = attempt(step, Choose("club", "yes"))
    assert step.removed == ()
    assert step.progress.current == "needs"
    assert len(step.progress.answers) == 5


def test_a_typed_answer_can_be_kept_after_going_back() -> None:
    step = walk(*TO_NEEDS_YES, Back(), Back())
    assert step.prompt == Prompt(
        kind="question",
        text="4/8\nWhat is the program called?\n\nType your answer and send it as a message.\n\n"
        "Your answer so far: Robotics Club",
        buttons=(
            Button("Keep my answer", Done("club_name")),
            Button("Skip", Skip("club_name")),
            Button("Back", Back()),
        ),
        question_id="club_name",
        position=(4, 8),
        expects_text=True,
    )
    kept = attempt(step, Done("club_name"))
    assert kept.saved == ("club_name", Given(None, text="Robotics Club"))
    assert kept.progress.current == "needs"
    retyped = attempt(step, Reply("Coding Club"))
    assert retyped.saved == ("club_name", Given(None, text="Coding Club"))


def test_there_is_nothing_to_keep_before_answering() -> None:
    assert rejected(walk(*CLUB_YES, Reply("3")), Done("club_name")) == (
        "There is no answer to keep yet. Please type your answer and send it."
    )


def test_back_to_a_multi_choice_question_restores_its_selection() -> None:
    step = walk(*TO_SLEEP)
    assert step.progress.current == "sleep"
    step = attempt(step, Back())
    assert step.progress.current == "needs"
    assert step.progress.pending == ("tutoring",)
    assert step.prompt is not None
    assert [b.label for b in step.prompt.buttons if b.selected] == ["✅ Tutoring"]


# --- multi-choice -------------------------------------------------------------------------


def test_toggling_twice_unselects_and_order_follows_the_options() -> None:
    step = walk(*TO_NEEDS_YES)
    step = attempt(step, Toggle("needs", "internship"))
    step = attempt(step, Toggle("needs", "tutoring"))
    assert step.progress.pending == ("tutoring", "internship")
    step = attempt(step, Toggle("needs", "internship"))
    assert step.progress.pending == ("tutoring",)
    step = attempt(step, Toggle("needs", "tutoring"))
    assert step.progress.pending == ()
    assert rejected(step, Done("needs")) == "Please choose at least one option, then tap Done."


def test_done_with_nothing_chosen_skips_an_optional_question() -> None:
    survey = _with_question(SURVEY, "needs", required=False)
    step = walk(*TO_NEEDS_YES, survey=survey)
    assert labels(step.prompt)[-3:] == ["Done", "Skip", "Back"]
    step = attempt(step, Done("needs"), survey)
    assert step.saved == ("needs", Given(None, skipped=True))


def test_back_while_typing_other_returns_to_the_options() -> None:
    step = walk(*TO_NEEDS_YES, Toggle("needs", "other"), Done("needs"))
    assert step.progress.awaiting_other is True
    step = attempt(step, Back())
    assert step.progress.awaiting_other is False
    assert step.progress.pending == ("other",)
    assert step.progress.current == "needs"
    assert step.prompt is not None and step.prompt.text.endswith("then tap Done.")
    # Toggling again while the text is awaited cancels the wait too.
    waiting = walk(*TO_NEEDS_YES, Toggle("needs", "other"), Done("needs"))
    toggled = attempt(waiting, Toggle("needs", "tutoring"))
    assert toggled.progress.awaiting_other is False
    assert toggled.progress.pending == ("tutoring", "other")


def test_the_other_text_is_validated() -> None:
    step = walk(*TO_NEEDS_YES, Toggle("needs", "other"), Done("needs"))
    assert rejected(step, Reply("  ")) == (
        "Your message was empty. Please type your answer and send it again."
    )


# --- language and resume ------------------------------------------------------------------


def test_switching_language_mid_survey_reshows_the_question() -> None:
    step = walk(Choose("known", "4"))
    switched = attempt(step, SetLanguage("es"))
    assert switched.saved is None
    assert switched.acknowledgement == "Español"
    assert switched.progress == Progress(
        status=RespondentStatus.IN_PROGRESS,
        language="es",
        role="student",
        current="club",
        answers={"known": Given("4")},
    )
    assert switched.prompt is not None
    assert switched.prompt.text == "2/6\n¿Vas a algún programa después de clases?"
    assert labels(switched.prompt) == ["Sí", "No", "Saltar", "Atrás"]


def test_switching_language_before_the_questions_reshows_that_step() -> None:
    consent = begin(SURVEY, CONTEXT, language="en")
    switched = attempt(consent, SetLanguage("es"))
    assert switched.progress.status == RespondentStatus.CONSENT
    assert switched.prompt is not None and switched.prompt.kind == "consent"
    assert labels(switched.prompt) == ["Empezar", "No, gracias"]
    context = Context("Casa Aurora", ("en", "es"), "en", audience="any")
    role = advance(SURVEY, context, consent.progress, Consent(True))
    switched = advance(SURVEY, context, role.progress, SetLanguage("es"))
    assert switched.progress.status == RespondentStatus.ROLE
    assert switched.prompt == Prompt(
        kind="role",
        text="¿Contestas como estudiante, o como madre, padre o cuidador?",
        buttons=(
            Button("Soy estudiante", SetRole("student")),
            Button("Soy madre, padre o cuidador", SetRole("caregiver")),
        ),
    )


def test_a_language_the_campaign_does_not_offer_is_refused() -> None:
    assert rejected(walk(), SetLanguage("fr")) == (
        "Sorry, that language is not available for this survey."
    )


def test_show_resumes_exactly_where_the_respondent_was() -> None:
    for path in (
        (),
        CLUB_YES,
        (*TO_NEEDS_YES, Toggle("needs", "mentoring")),
        (*TO_NEEDS_YES, Toggle("needs", "other"), Done("needs")),
    ):
        step = walk(*path)
        shown = attempt(step, Show())
        assert shown.progress == step.progress
        assert shown.prompt == step.prompt
        assert shown.saved is None
    language = begin(SURVEY, CONTEXT)
    assert attempt(language, Show()).prompt == language.prompt
    consent = begin(SURVEY, CONTEXT, language="es")
    assert attempt(consent, Show()).prompt == consent.prompt


def test_show_repairs_a_current_question_that_no_longer_exists() -> None:
    step = walk(Choose("known", "2"))
    broken = Progress(RespondentStatus.IN_PROGRESS, "en", "student", "gone", step.progress.answers)
    shown = advance(SURVEY, CONTEXT, broken, Show())
    assert shown.progress.current == "club"
    repaired = advance(SURVEY, CONTEXT, broken, Reply("hi"))
    assert repaired.progress.current == "club"


# --- safeguarding -------------------------------------------------------------------------


def test_a_risky_text_answer_is_flagged_and_the_survey_goes_on() -> None:
    step = walk(*TO_SLEEP, Reply("8"))
    assert step.progress.current == "idea"
    step = attempt(step, Reply("Sometimes I want to die"))
    assert step.saved == ("idea", Given(None, text="Sometimes I want to die", flagged=True))
    assert step.safeguarding is True
    assert step.prompt is not None and step.prompt.kind == "thanks"


def test_a_risky_other_text_is_flagged() -> None:
    step = walk(*TO_NEEDS_YES, Toggle("needs", "other"), Done("needs"))
    step = attempt(step, Reply("mi papá me pega"))
    assert step.saved == ("needs", Given('["other"]', text="mi papá me pega", flagged=True))
    assert step.safeguarding is True
    assert step.progress.current == "sleep"


def test_ordinary_text_is_not_flagged() -> None:
    step = attempt(walk(*TO_SLEEP, Reply("8")), Reply("More art classes"))
    assert step.safeguarding is False
    assert step.saved == ("idea", Given(None, text="More art classes"))


def test_a_disclosure_step_carries_the_crisis_resources_in_the_respondents_voice() -> None:
    """The support message is the engine's output, so any channel delivers it."""
    step = attempt(walk(*TO_SLEEP, Reply("8")), Reply("Sometimes I want to die"))
    assert step.support == t("safeguarding.support", "en")
    assert "988" in step.support
    spanish = walk(*TO_SLEEP, Reply("8"), language="es")
    step = attempt(spanish, Reply("quiero morirme"))
    assert step.support == t("safeguarding.support", "es")  # a student: "tú"
    formal = Context(CONTEXT.organization, CONTEXT.languages, "en", audience="caregiver")
    caregiver = walk(*TO_SLEEP, Reply("8"), language="es", context=formal)
    step = attempt(caregiver, Reply("mi hijo quiere morirse"), context=formal)
    assert step.support == t("safeguarding.support", "es@formal")
    assert step.support != t("safeguarding.support", "es")


def test_ordinary_steps_carry_no_support_message() -> None:
    step = walk(*TO_SLEEP, Reply("8"))
    assert step.support is None
    assert attempt(step, Reply("More art classes")).support is None


def test_keeping_a_flagged_answer_raises_no_second_disclosure() -> None:
    """Going Back and keeping a flagged answer is not a new disclosure: no second alert."""
    step = walk(*CLUB_YES, Reply("3"), Reply("I want to kill myself"))
    assert step.safeguarding is True
    back = attempt(step, Back())
    assert back.progress.current == "club_name"
    kept = attempt(back, Done("club_name"))
    assert kept.saved is not None and kept.saved[1].flagged is True
    assert kept.safeguarding is False
    assert kept.support is None


# --- helpers ------------------------------------------------------------------------------


def test_long_text_is_truncated_in_the_acknowledgement() -> None:
    text = "word " * 30  # 150 characters
    step = attempt(walk(*TO_SLEEP, Reply("8")), Reply(text))
    assert step.saved == ("idea", Given(None, text=text.strip()))
    assert step.acknowledgement == ("word " * 12).strip() + "…"  # 59 characters and the ellipsis
    assert step.acknowledgement is not None and len(step.acknowledgement) == 60


@pytest.mark.parametrize(
    ("question_id", "given", "language", "label"),
    [
        ("known", Given("1"), "en", "Not at all well"),
        ("known", Given("5"), "es", "Muy bien"),
        ("known", Given("not_sure"), "en", "Not sure"),
        ("club", Given("yes"), "es", "Sí"),
        ("plan", Given("unsure"), "es", "Todavía no sé"),
        ("needs", Given('["tutoring","internship"]'), "en", "Tutoring, An internship"),
        ("needs", Given('["other"]', text="Un club"), "es", "Otra: Un club"),
        ("sleep", Given("6.5"), "es", "6,5"),
        ("idea", Given(None, text="Line one\nline two"), "en", "Line one line two"),
        ("idea", Given(None, skipped=True), "en", "Skipped"),
    ],
)
def test_format_answer(question_id: str, given: Given, language: str, label: str) -> None:
    assert format_answer(SURVEY, SURVEY.question(question_id), given, language) == label


def test_visible_questions_follow_show_if() -> None:
    def ids(answers: dict[str, Given]) -> list[str]:
        return [q.id for q in visible_questions(SURVEY, answers)]

    everything = ["known", "club", "club_days", "club_name", "plan", "needs", "sleep", "idea"]
    without_club = ["known", "club", "plan", "needs", "sleep", "idea"]
    assert ids({}) == without_club
    assert ids({"club": Given("yes")}) == everything
    assert ids({"club": Given("no")}) == without_club
    assert ids({"club": Given(None, skipped=True)}) == without_club


def test_next_question_prefers_unanswered_questions_after_the_current_one() -> None:
    answers = {"known": Given("3"), "club": Given("no"), "needs": Given('["tutoring"]')}
    first, later = next_question(SURVEY, answers), next_question(SURVEY, answers, after="needs")
    assert first is not None and first.id == "plan"
    assert later is not None and later.id == "sleep"
    everything = {q.id: Given("1") for q in SURVEY.questions}
    assert next_question(SURVEY, everything, after="known") is None


def test_the_engine_is_deterministic() -> None:
    path = (*TO_NEEDS_YES, Toggle("needs", "other"), Done("needs"), Reply("x"), Back(), Back())
    first = [walk(*path[:n]) for n in range(len(path) + 1)]
    second = [walk(*path[:n]) for n in range(len(path) + 1)]
    assert first == second
    assert begin(SURVEY, CONTEXT) == begin(SURVEY, CONTEXT)
