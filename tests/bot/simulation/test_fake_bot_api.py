"""The fake Bot API, driven by a real PTB Application over HTTP on 127.0.0.1.

The bot here is a tiny one written for these tests (echo, one inline keyboard, an edit), so
the server's behaviour is checked independently of chorus's own bot.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.simulation.fake_bot_api import NOT_MODIFIED, FakeBotApi, Faults

pytestmark = pytest.mark.filterwarnings(
    # PTB 22 warns when RetryAfter.retry_after is read as an int; that is its own business.
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

TOKEN = "4242:FAKE-TOKEN"
CHAT = 501


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payload = context.args[0] if context.args else "none"
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes", callback_data="q:yes")],
            [InlineKeyboardButton("No", callback_data="q:no")],
        ]
    )
    await update.effective_message.reply_text(
        f"<b>Hello</b> {payload}", parse_mode="HTML", reply_markup=keyboard
    )


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"You chose {query.data}")
    await query.message.reply_text("next")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def _other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    kind = "sticker" if message.sticker else "photo" if message.photo else "voice"
    await message.reply_text(f"got a {kind}")


def _tiny_app(api: FakeBotApi, *, rate_limit: bool = False) -> Application:
    builder = ApplicationBuilder().token(TOKEN).base_url(api.base_url)
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=2))
    app = builder.build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_pressed))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(MessageHandler(filters.Sticker.ALL | filters.PHOTO | filters.VOICE, _other))
    return app


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="tiny_bot") as server:
        yield server


async def _polling(app: Application) -> None:
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)


async def _stop(app: Application) -> None:
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Application]:
    app = _tiny_app(api)
    await _polling(app)
    try:
        yield app
    finally:
        await asyncio.wait_for(_stop(app), 10)


async def test_get_me_answers_from_the_token(api: FakeBotApi, bot: Application) -> None:
    assert bot.bot.id == 4242
    assert bot.bot.username == "tiny_bot"


async def test_a_command_with_a_deep_link_payload_gets_a_keyboard(
    api: FakeBotApi, bot: Application
) -> None:
    action = api.send_command(CHAT, "/start", "camp123")
    reply = await api.wait_for_reply(CHAT, after=action, timeout=5)
    # HTML markup is rendered away, as a phone shows it.
    assert reply.text == "Hello camp123"
    assert [b.text for b in reply.buttons] == ["Yes", "No"]
    assert [len(row) for row in reply.keyboard] == [1, 1]
    assert reply.message_id == action.message_id + 1


async def test_pressing_a_button_answers_edits_and_replies(
    api: FakeBotApi, bot: Application
) -> None:
    question = await api.wait_for_reply(CHAT, after=api.send_command(CHAT, "/start"), timeout=5)
    press = api.press(CHAT, question.message_id, "q:no")
    answer = await api.wait_for_answer(press.query_id, timeout=5)
    nxt = await api.wait_for_reply(CHAT, after=press, timeout=5)
    assert answer.text == "got q:no"
    assert nxt.text == "next"
    edited = api.message(CHAT, question.message_id)
    assert edited.text == "You chose q:no"
    assert edited.keyboard == ()  # editing the text without a markup drops the keyboard
    assert edited.edit_date is not None
    kinds = [(e.direction, e.kind) for e in api.transcript(CHAT)]
    assert kinds == [
        ("user", "command"),
        ("bot", "send"),
        ("user", "callback"),
        ("bot", "answer"),
        ("bot", "edit"),
        ("bot", "send"),
    ]


async def test_a_button_that_is_not_shown_cannot_be_pressed(
    api: FakeBotApi, bot: Application
) -> None:
    question = await api.wait_for_reply(CHAT, after=api.send_command(CHAT, "/start"), timeout=5)
    with pytest.raises(LookupError):
        api.press(CHAT, question.message_id, "q:maybe")
    forged = api.press(CHAT, question.message_id, "q:maybe", force=True)
    answer = await api.wait_for_answer(forged.query_id, timeout=5)
    assert answer.text == "got q:maybe"


async def test_text_and_media_reach_the_bot(api: FakeBotApi, bot: Application) -> None:
    echo = await api.wait_for_reply(CHAT, after=api.send_text(CHAT, "hola"), timeout=5)
    assert echo.text == "echo: hola"
    for send, kind in [
        (api.send_sticker, "sticker"),
        (api.send_photo, "photo"),
        (api.send_voice, "voice"),
    ]:
        reply = await api.wait_for_reply(CHAT, after=send(CHAT), timeout=5)
        assert reply.text == f"got a {kind}"


async def test_update_ids_are_unique_and_increasing(api: FakeBotApi) -> None:
    ids = [
        api.send_text(1, "a").update_id,
        api.send_command(2, "/start").update_id,
        api.send_sticker(1).update_id,
        api.send_text(3, "b").update_id,
    ]
    assert ids == sorted(set(ids))
    assert len(ids) == 4


async def test_message_is_not_modified_like_telegram(api: FakeBotApi, bot: Application) -> None:
    question = await api.wait_for_reply(CHAT, after=api.send_command(CHAT, "/start"), timeout=5)
    same = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes", callback_data="q:yes")],
            [InlineKeyboardButton("No", callback_data="q:no")],
        ]
    )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.bot.edit_message_text(
            "<b>Hello</b> none",
            chat_id=CHAT,
            message_id=question.message_id,
            parse_mode="HTML",
            reply_markup=same,
        )
    # Dropping the keyboard is a change; dropping it again is not.
    await bot.bot.edit_message_reply_markup(chat_id=CHAT, message_id=question.message_id)
    with pytest.raises(BadRequest) as caught:
        await bot.bot.edit_message_reply_markup(chat_id=CHAT, message_id=question.message_id)
    # PTB drops Telegram's "Bad Request: " prefix and capitalizes the rest.
    assert caught.value.message == NOT_MODIFIED.removeprefix("Bad Request: m").join(["M", ""])
    assert api.message(CHAT, question.message_id).keyboard == ()


async def test_chat_not_found_and_bad_ids(api: FakeBotApi, bot: Application) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.bot.send_message(999, "hello")
    api.send_text(CHAT, "x")
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.bot.edit_message_text("t", chat_id=CHAT, message_id=777)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.bot.edit_message_text("t", chat_id=CHAT, message_id=1)  # the user's own
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.bot.delete_message(CHAT, 777)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.bot.answer_callback_query("no-such-query")


async def test_telegram_limits_are_enforced(api: FakeBotApi, bot: Application) -> None:
    api.send_text(CHAT, "x")
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.bot.send_message(CHAT, "x" * 4097)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.bot.send_message(CHAT, "hi", reply_markup=too_long)
    sent = await bot.bot.send_message(CHAT, "x" * 4096)
    assert len(api.message(CHAT, sent.message_id).text) == 4096


async def test_a_callback_query_can_be_answered_only_once(
    api: FakeBotApi, bot: Application
) -> None:
    question = await api.wait_for_reply(CHAT, after=api.send_command(CHAT, "/start"), timeout=5)
    press = api.press(CHAT, question.message_id, "q:yes")
    await api.wait_for_answer(press.query_id, timeout=5)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.bot.answer_callback_query(press.query_id)


async def test_a_forced_429_is_retried_by_the_rate_limiter(api: FakeBotApi) -> None:
    app = _tiny_app(api, rate_limit=True)
    await _polling(app)
    try:
        api.fail_next("sendMessage", 1, error_code=429, retry_after=1)
        reply = await api.wait_for_reply(CHAT, after=api.send_text(CHAT, "hi"), timeout=8)
    finally:
        await asyncio.wait_for(_stop(app), 10)
    assert reply.text == "echo: hi"
    statuses = [c.status for c in api.calls_to("sendMessage")]
    assert statuses == [429, 200]
    first, second = api.calls_to("sendMessage")
    assert second.at - first.at >= 1.0


async def test_retry_after_and_forbidden_reach_ptb_as_its_exceptions(
    api: FakeBotApi, bot: Application
) -> None:
    await api.wait_for_reply(CHAT, after=api.send_text(CHAT, "x"), timeout=5)
    api.fail_next("sendMessage", error_code=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.bot.send_message(CHAT, "hi")
    retry_after = caught.value.retry_after
    assert (retry_after if isinstance(retry_after, int) else retry_after.total_seconds()) == 7
    api.block(CHAT)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.bot.send_message(CHAT, "hi")
    api.unblock(CHAT)
    assert (await bot.bot.send_message(CHAT, "hi")).text == "hi"


async def test_a_fault_can_target_one_chat(api: FakeBotApi, bot: Application) -> None:
    await api.wait_for_reply(1, after=api.send_text(1, "x"), timeout=5)
    await api.wait_for_reply(2, after=api.send_text(2, "x"), timeout=5)
    api.fail_next("sendMessage", error_code=403, chat_id=2)
    assert (await bot.bot.send_message(1, "fine")).text == "fine"
    with pytest.raises(Forbidden):
        await bot.bot.send_message(2, "no")
    assert (await bot.bot.send_message(2, "fine again")).text == "fine again"


async def test_unknown_method_and_wrong_token_answer_bot_api_errors(api: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api.base_url}{TOKEN}/sendDice", data={"chat_id": "1"}) as r:
            assert r.status == 404
            assert await r.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.post(f"{api.base_url}0:WRONG/getMe") as r:
            assert r.status == 401
            assert (await r.json())["ok"] is False
    app = ApplicationBuilder().token("0:WRONG").base_url(api.base_url).build()
    with pytest.raises(InvalidToken):
        await app.initialize()


async def test_json_bodies_are_accepted_like_form_bodies(api: FakeBotApi) -> None:
    api.send_text(77, "hi")
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with aiohttp.ClientSession() as http:
        url = f"{api.base_url}{TOKEN}/sendMessage"
        async with http.post(
            url, json={"chat_id": 77, "text": "json", "reply_markup": markup}
        ) as r:
            body = await r.json()
        async with http.post(
            url, data={"chat_id": "77", "text": "form", "reply_markup": json.dumps(markup)}
        ) as r:
            form_body = await r.json()
    assert body["result"]["reply_markup"] == markup
    assert form_body["result"]["reply_markup"] == markup
    assert body["result"]["chat"] == {"id": 77, "type": "private", "first_name": "User77"}
    assert [m.text for m in api.messages(77)] == ["json", "form"]


async def test_get_updates_long_polls_and_honours_the_offset(api: FakeBotApi) -> None:
    app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
    await app.initialize()
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await app.bot.get_updates(timeout=0.3) == ()
        assert loop.time() - started >= 0.25

        waiting = asyncio.create_task(app.bot.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        first = api.send_text(CHAT, "one").update_id
        updates = await asyncio.wait_for(waiting, 3)
        assert [u.update_id for u in updates] == [first]
        second = api.send_text(CHAT, "two").update_id
        # Without confirming, the first update is served again.
        again = await app.bot.get_updates(timeout=0)
        assert [u.update_id for u in again] == [first, second]
        # An offset confirms everything below it, for good.
        assert [u.update_id for u in await app.bot.get_updates(offset=second)] == [second]
        assert [u.update_id for u in await app.bot.get_updates(offset=0)] == [second]
        assert await app.bot.get_updates(offset=second + 1, timeout=0) == ()
    finally:
        await app.shutdown()


async def test_a_redelivered_update_reaches_the_bot_twice(
    api: FakeBotApi, bot: Application
) -> None:
    first = api.send_text(CHAT, "again")
    await api.wait_for_reply(CHAT, after=first, timeout=5)
    api.redeliver(first.update_id)
    await api.wait_until(lambda: len(api.messages(CHAT)) == 2, timeout=5)
    assert [m.text for m in api.messages(CHAT)] == ["echo: again", "echo: again"]


async def test_commands_and_webhook_info(api: FakeBotApi, bot: Application) -> None:
    await bot.bot.set_my_commands([("start", "Begin"), ("help", "Help")])
    assert api.commands == [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "Help"},
    ]
    info = await bot.bot.get_webhook_info()
    assert info.url == ""
    await api.wait_for_reply(CHAT, after=api.send_text(CHAT, "x"), timeout=5)
    assert await bot.bot.send_chat_action(CHAT, "typing")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_pushes_updates_with_the_secret(api: FakeBotApi) -> None:
    app = _tiny_app(api)
    port = _free_port()
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hook",
        webhook_url=f"http://127.0.0.1:{port}/hook",
        secret_token="s3cret-token",
    )
    try:
        assert api.webhook_url == f"http://127.0.0.1:{port}/hook"
        assert api.webhook_secret == "s3cret-token"
        reply = await api.wait_for_reply(CHAT, after=api.send_text(CHAT, "hooked"), timeout=5)
        assert reply.text == "echo: hooked"
        with pytest.raises(Conflict):  # Telegram refuses polling while a webhook is set
            await app.bot.get_updates(timeout=0)
        assert (await app.bot.get_webhook_info()).url == api.webhook_url
        # A wrong secret is refused by PTB with 403, so deliveries really carry the header.
        api.webhook_secret = "wrong-secret"
        refused = api.send_text(CHAT, "refused")
        await api.wait_until(
            lambda: (
                [s for u, s in api.webhook_deliveries if u == refused.update_id] == [403, 403, 403]
            ),
            timeout=5,
        )
    finally:
        await asyncio.wait_for(_stop(app), 10)
    assert (api.webhook_deliveries[0][1]) == 200


# ---------------------------------------------------------------------------- benchmark features


async def _plain_app(api: FakeBotApi) -> Application:
    app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
    await app.initialize()
    return app


async def test_every_call_takes_the_injected_round_trip() -> None:
    async with FakeBotApi(token=TOKEN, latency=0.2) as api:
        app = await _plain_app(api)
        try:
            api.send_text(CHAT, "hi")
            loop = asyncio.get_running_loop()
            started, monotonic_start = loop.time(), api.update_times[max(api.update_times)]
            sent = await app.bot.send_message(CHAT, "hello")
            took = loop.time() - started
            updates = await app.bot.get_updates(timeout=0)
        finally:
            await app.shutdown()
    assert sent.text == "hello"
    assert 0.2 <= took < 0.6
    message = api.message(CHAT, sent.message_id)
    # The message reaches the user halfway through the round trip.
    assert message.sent_at - monotonic_start >= 0.1
    assert [u.message.text for u in updates] == ["hi"]


async def test_a_negative_latency_or_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="latency"):
        FakeBotApi(latency=-1)
    with pytest.raises(ValueError, match="rate_429"):
        Faults(rate_429=1.5)
    with pytest.raises(ValueError, match="exceed"):
        Faults(rate_429=0.6, rate_5xx=0.6)


async def test_random_429s_carry_retry_after_and_count() -> None:
    async with FakeBotApi(token=TOKEN, faults=Faults(rate_429=1.0, retry_after=3)) as api:
        app = await _plain_app(api)  # getMe is never faulted: start-up must work
        try:
            api.send_text(CHAT, "hi")
            with pytest.raises(RetryAfter) as caught:
                await app.bot.send_message(CHAT, "hello")
        finally:
            await app.shutdown()
    retry_after = caught.value.retry_after
    assert (retry_after if isinstance(retry_after, int) else retry_after.total_seconds()) == 3
    assert api.fault_counts["429"] == 1
    assert api.messages(CHAT) == []  # a refused call has no effect


async def test_random_faults_follow_the_seed_and_the_rates() -> None:
    async def statuses(seed: int) -> list[int]:
        faults = Faults(rate_429=0.3, rate_5xx=0.2, seed=seed)
        async with FakeBotApi(token=TOKEN, faults=faults) as api:
            api.send_text(CHAT, "hi")
            async with aiohttp.ClientSession() as http:
                for _ in range(200):
                    url = f"{api.base_url}{TOKEN}/sendMessage"
                    async with http.post(url, data={"chat_id": str(CHAT), "text": "x"}):
                        pass
            return [c.status for c in api.calls_to("sendMessage")]

    first, again, other = await statuses(1), await statuses(1), await statuses(2)
    assert first == again
    assert first != other
    assert 40 <= first.count(429) <= 80
    assert 20 <= first.count(502) <= 60
    assert first.count(200) == 200 - first.count(429) - first.count(502)


async def test_random_5xx_reach_ptb_as_network_errors_and_hit_polling() -> None:
    async with FakeBotApi(token=TOKEN, faults=Faults(rate_5xx=1.0)) as api:
        app = await _plain_app(api)
        try:
            api.send_text(CHAT, "hi")
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await app.bot.send_message(CHAT, "hello")
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await app.bot.get_updates(timeout=0)
        finally:
            await app.shutdown()
    assert api.fault_counts["502"] == 2


async def test_a_fraction_of_updates_is_delivered_twice_later() -> None:
    faults = Faults(redeliver=1.0, redeliver_delay=(0.2, 0.3))
    async with FakeBotApi(token=TOKEN, faults=faults) as api:
        app = _tiny_app(api)
        await _polling(app)
        try:
            action = api.send_text(CHAT, "once")
            await api.wait_until(lambda: len(api.messages(CHAT)) == 2, timeout=5)
        finally:
            await asyncio.wait_for(_stop(app), 10)
    assert [m.text for m in api.messages(CHAT)] == ["echo: once", "echo: once"]
    assert api.fault_counts["redelivered"] == 1
    assert action.update_id in api.confirmed


async def test_confirmed_updates_are_those_a_later_offset_acknowledged(api: FakeBotApi) -> None:
    app = await _plain_app(api)
    try:
        first = api.send_text(CHAT, "a").update_id
        (update,) = await app.bot.get_updates(timeout=0)
        assert first in api.delivered
        assert api.confirmed == set()  # delivered, but Telegram would send it again
        second = api.send_text(CHAT, "b").update_id
        await app.bot.get_updates(offset=update.update_id + 1, timeout=0)
    finally:
        await app.shutdown()
    assert api.confirmed == {first}
    assert second in api.delivered


async def test_documents_and_photos_are_uploaded_as_multipart(api: FakeBotApi) -> None:
    api.send_text(CHAT, "hi")
    app = await _plain_app(api)
    try:
        doc = await app.bot.send_document(
            CHAT,
            document=b"a,b\n1,2\n",
            filename="results.csv",
            caption="<b>Results</b>",
            parse_mode="HTML",
        )
        photo = await app.bot.send_photo(CHAT, photo=b"\x89PNG fake", caption="chart")
        by_id = await app.bot.send_document(CHAT, document="file-123")
    finally:
        await app.shutdown()
    assert doc.document is not None and doc.document.file_name == "results.csv"
    assert doc.caption == "Results"
    sent = api.message(CHAT, doc.message_id).attachment
    assert sent is not None
    assert (sent.kind, sent.filename, sent.size) == ("document", "results.csv", 8)
    picture = api.message(CHAT, photo.message_id).attachment
    assert picture is not None and (picture.kind, picture.size) == ("photo", 9)
    assert photo.photo and photo.caption == "chart"
    reference = api.message(CHAT, by_id.message_id).attachment
    assert reference is not None and (reference.reference, reference.size) == ("file-123", 0)
    assert [e.kind for e in api.transcript(CHAT) if e.direction == "bot"] == [
        "document",
        "photo",
        "document",
    ]


async def test_a_caption_over_the_limit_is_refused(api: FakeBotApi) -> None:
    api.send_text(CHAT, "hi")
    app = await _plain_app(api)
    try:
        with pytest.raises(BadRequest, match="caption is too long"):
            await app.bot.send_document(CHAT, document=b"x", filename="x.txt", caption="c" * 1025)
    finally:
        await app.shutdown()


async def test_commands_can_be_set_for_one_chat(api: FakeBotApi) -> None:
    app = await _plain_app(api)
    staff = [BotCommand("report", "Send the report"), BotCommand("start", "Start")]
    try:
        await app.bot.set_my_commands([BotCommand("start", "Start")])
        await app.bot.set_my_commands(staff, scope=BotCommandScopeChat(900))
        mine = await app.bot.get_my_commands(scope=BotCommandScopeChat(900))
        await app.bot.delete_my_commands(scope=BotCommandScopeChat(901))  # nothing there
    finally:
        await app.shutdown()
    assert [c.command for c in mine] == ["report", "start"]
    assert [c["command"] for c in api.commands_for(900)] == ["report", "start"]
    assert [c["command"] for c in api.commands_for(901)] == ["start"]
    assert api.commands == [{"command": "start", "description": "Start"}]
    assert set(api.commands_by_scope) == {"default", "chat:900"}


async def test_a_webhook_push_is_retried_until_the_bot_is_back_and_then_confirmed() -> None:
    async with FakeBotApi(token=TOKEN, latency=0.02, webhook_attempts=40) as api:
        app = _tiny_app(api)
        port = _free_port()
        url = f"http://127.0.0.1:{port}/hook"
        await app.initialize()
        try:
            await app.bot.set_webhook(url)  # nobody listens yet: pushes fail and are retried
            action = api.send_text(CHAT, "later")
            await api.wait_until(lambda: len(api.webhook_deliveries) >= 2, timeout=5)
            assert action.update_id not in api.confirmed
            await app.start()
            assert app.updater is not None
            await app.updater.start_webhook(
                listen="127.0.0.1", port=port, url_path="hook", webhook_url=url
            )
            reply = await api.wait_for_reply(CHAT, after=action, timeout=10)
        finally:
            await asyncio.wait_for(_stop(app), 10)
    statuses = [status for update, status in api.webhook_deliveries if update == action.update_id]
    assert reply.text == "echo: later"
    assert statuses[0] == 0 and statuses[-1] == 200
    assert action.update_id in api.confirmed
