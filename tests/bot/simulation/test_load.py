"""Load respondents: they finish a real survey, time replies honestly, and catch losses."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from sqlalchemy import text
from telegram.ext import Application

from bot.simulation.fake_bot_api import FakeBotApi
from bot.simulation.load import (
    LoadReport,
    LoadResult,
    LoadSettings,
    Sample,
    check_integrity,
    percentile,
    prepare_campaign,
    repeated_questions,
    run_load,
    stored_answers,
)
from bot.simulation.respondents import polling_bot
from surveys.db import make_engine

FAST = LoadSettings(think=(0.01, 0.05), arrival=0.2, reply_timeout=10.0, settle=0.5, seed=3)
ROOT = Path(__file__).resolve().parents[3]


def _floor_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("floor_bot", ROOT / "bench" / "floor_bot.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("floor_bot", module)
    spec.loader.exec_module(module)
    return module


async def _polling(app: Application) -> None:  # type: ignore[type-arg]
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)


async def _stop(app: Application) -> None:  # type: ignore[type-arg]
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0
    assert percentile([], 0.5) != percentile([], 0.5)  # NaN


def test_a_reply_never_received_counts_as_never_delivered() -> None:
    result = LoadResult(
        chat_id=1, samples=[Sample("answer", 1, 0.0, 0.2), Sample("answer", 2, 1.0)]
    )
    report = LoadReport([result], 1.0, FAST)
    assert report.unanswered == 1
    assert report.latencies() == [0.2]


async def test_latency_runs_from_the_update_to_the_next_question() -> None:
    """The floor bot: one answer and one send per tap, so at least a whole round trip."""
    floor = _floor_module()
    async with FakeBotApi(token="5:FLOOR", latency=0.1) as api:
        app = floor.build(api.token, api.base_url, 3)
        await _polling(app)
        try:
            report = await run_load(
                api, campaign_code="x", respondents=2, settings=FAST, chat_id_base=500
            )
        finally:
            await _stop(app)
    assert report.finished == 2
    assert report.answers == 6  # three questions each, none lost by the respondents
    latencies = report.latencies()
    assert len(latencies) == 8  # /start and three taps each
    # getUpdates half way back, answerCallbackQuery, sendMessage half way: >= 0.2 s.
    assert min(latencies[2:]) >= 0.2
    assert max(latencies) < 2.0


async def test_chorus_respondents_finish_and_the_database_holds_their_answers(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'load.db'}"
    code = prepare_campaign(url, out_dir=tmp_path / "campaign", username="load_bot")
    engine = make_engine(url)
    try:
        async with (
            FakeBotApi(token="6:LOAD", username="load_bot") as api,
            polling_bot(api, engine, username="load_bot"),
        ):
            report = await run_load(
                api, campaign_code=code, respondents=3, settings=FAST, chat_id_base=700
            )
        stored = stored_answers(url, code)
        integrity = check_integrity(api, report, stored)
        assert report.finished == 3, [r.error for r in report.results]
        assert stored.completed == {700, 701, 702}
        assert integrity.ok, integrity
        assert integrity.answers_given >= 3 * 13
        # Lose one answer behind the bot's back: the check must notice.
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM answer WHERE question_id = 'b1'"))
        lost = check_integrity(api, report, stored_answers(url, code))
        assert sorted(lost.lost) == ["700:b1", "701:b1", "702:b1"]
        assert not lost.ok
    finally:
        engine.dispose()


async def test_a_question_sent_twice_in_a_row_is_counted() -> None:
    async with FakeBotApi(token="7:DUP") as api:
        api.send_text(9, "hi")
        app = Application.builder().token(api.token).base_url(api.base_url).build()
        await app.initialize()
        try:
            for body in ("1/2 first?", "1/2 first?", "2/2 second?", "1/2 first?"):
                await app.bot.send_message(9, body)
        finally:
            await app.shutdown()
    assert repeated_questions(api, 9) == 1
