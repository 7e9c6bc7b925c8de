import pytest

from surveys.safeguarding import ABUSE, SELF_HARM, SUICIDE, VIOLENCE, Assessment, assess, normalize


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # English
        ("Sometimes I want to kill myself", SUICIDE),
        ("I WANT TO DIE", SUICIDE),
        ("i wanna die honestly", SUICIDE),
        ("I have been thinking about suicide", SUICIDE),
        ("I don't want to live anymore.", SUICIDE),
        ("I wish I was dead", SUICIDE),
        ("everyone would be better off dead without me", SUICIDE),
        ("this homework makes me want to kms", SUICIDE),
        ("I hurt myself when I'm sad", SELF_HARM),
        ("I’ve been cutting again", SELF_HARM),
        ("I started cutting my arms", SELF_HARM),
        ("I self-harm", SELF_HARM),
        ("my uncle touches me and I don't like it", ABUSE),
        ("there is abuse at home", ABUSE),
        ("I was sexually assaulted last year", ABUSE),
        ("he hits me", VIOLENCE),
        ("My stepdad always beats me", VIOLENCE),
        ("my mom slapped me", VIOLENCE),
        ("they beat me up after school", VIOLENCE),
        ("I am scared to go home", VIOLENCE),
        ("I get hit at home", VIOLENCE),
        ("I was beaten up", VIOLENCE),
        ("i got hit by my dad", VIOLENCE),
        ("there is drug abuse near school", ABUSE),
        ("I don't feel safe at home", VIOLENCE),
        # someone else: caregivers write about their children
        ("My daughter told me she wants to kill herself", SUICIDE),
        ("my son wants to die", SUICIDE),
        ("She talks about suicide a lot", SUICIDE),
        ("he said he would end his life", SUICIDE),
        ("I think my son is hurting himself", SELF_HARM),
        ("My ex hits me", VIOLENCE),
        ("her stepdad hits my daughter", VIOLENCE),
        ("he beats my kids", VIOLENCE),
        ("Mi hijo dice que quiere morirse", SUICIDE),
        ("mi hija habló de quitarse la vida", SUICIDE),
        ("creo que mi hija se está lastimando", SELF_HARM),
        ("su papá le pega a mi hijo", VIOLENCE),
        ("nos pega cuando toma", VIOLENCE),
        # Spanish, with and without accents
        ("Me quiero morir", SUICIDE),
        ("a veces pienso en matarme", SUICIDE),
        ("quiero suicidarme", SUICIDE),
        ("QUIERO MORIRME", SUICIDE),
        ("ya no quiero vivir", SUICIDE),
        ("Me hago daño cuando estoy triste", SELF_HARM),
        ("quiero hacerme dano", SELF_HARM),
        ("me corto los brazos", SELF_HARM),
        ("sufrí abuso de niño", ABUSE),
        ("mi tío me manosea", ABUSE),
        ("mi papá me pega", VIOLENCE),
        ("me pegan en el recreo", VIOLENCE),
        ("mi padrastro me golpea", VIOLENCE),
        ("en casa me lastiman", VIOLENCE),
        ("me lastimó mi papá", SELF_HARM),  # reads as "me lastimo" without the accent
        ("tengo miedo de volver a casa", VIOLENCE),
    ],
)
def test_clear_disclosures_are_flagged(text: str, category: str) -> None:
    assert assess(text) == Assessment(flagged=True, category=category)


@pytest.mark.parametrize(
    "text",
    [
        # English: ordinary answers and idioms
        "More tutoring after school would help",
        "this homework kills me",
        "I'd die for more recess",
        "I'm dying to see my friends after summer",
        "my mom will kill me if I fail math",
        "I don't want to live in this town after high school",
        "kids keep cutting in line at lunch",
        "stop cutting the art program",
        "My therapist helps me a lot",
        "she beat me at chess",
        "I got hit by a ball in PE",
        "I was hurt playing soccer",
        "nobody hurts me here",
        "the songs we sing touch my heart",
        "my son wants to be a doctor",
        "she beat my son at chess",
        "he would die for more soccer practice",
        "my daughter cut her hair herself",
        "mi hijo quiere ser maestro",
        "se corta el pelo cada mes",
        "",
        # Spanish
        "Más tutorías después de clases",
        "me muero de hambre en la última clase",
        "me mata la tarea de matemáticas",
        "me toca a mí presentar mañana",
        "me molesta el ruido en la cafetería",
        "me corto el pelo cada mes",
        "no quiero vivir en otra ciudad",
        "me encanta mi escuela",
    ],
)
def test_ordinary_answers_are_not_flagged(text: str) -> None:
    assert assess(text) == Assessment(flagged=False, category=None)


def test_an_assessment_is_truthy_only_when_flagged() -> None:
    assert assess("I want to die")
    assert not assess("I want more clubs")


def test_normalize_strips_accents_case_and_curly_apostrophes() -> None:
    assert normalize("  Me HAGO   Daño — I’m ok ") == "me hago dano — i'm ok"
