from __future__ import annotations

from bot.callback_data import DELETE_CANCEL, DELETE_CONFIRM
from bot.keyboards import delete_keyboard, language_keyboard, prompt_keyboard
from surveys.engine import Back, Button, Choose, Prompt, Skip


def test_one_button_per_row_with_campaign_bound_data() -> None:
    prompt = Prompt(
        kind="question",
        text="2/12\nHow well do adults at your school know you?",
        buttons=(
            Button("Not at all well", Choose("b2", "1")),
            Button("✅ Quite well", Choose("b2", "4"), selected=True),
            Button("Skip", Skip("b2")),
            Button("Back", Back()),
        ),
        question_id="b2",
        position=(2, 12),
    )
    markup = prompt_keyboard(prompt, campaign_id=3)
    assert markup is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("Not at all well", "a:3:b2:1")],
        [("✅ Quite well", "a:3:b2:4")],
        [("Skip", "s:3:b2")],
        [("Back", "b:3:b2")],
    ]


def test_a_prompt_without_buttons_has_no_keyboard() -> None:
    assert prompt_keyboard(Prompt(kind="thanks", text="Thank you"), campaign_id=1) is None


def test_language_buttons_name_each_language_in_itself() -> None:
    markup = language_keyboard(("en", "es"), campaign_id=9)
    assert [(r[0].text, r[0].callback_data) for r in markup.inline_keyboard] == [
        ("English", "l:9:en"),
        ("Español", "l:9:es"),
    ]


def test_delete_buttons_are_translated() -> None:
    markup = delete_keyboard("es")
    assert [(r[0].text, r[0].callback_data) for r in markup.inline_keyboard] == [
        ("Sí, borrar todo", DELETE_CONFIRM),
        ("No, conservar mis respuestas", DELETE_CANCEL),
    ]
