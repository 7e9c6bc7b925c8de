"""`kill -9` mid-run: nothing Telegram delivered may be lost, no one may be left hanging.

The real `chorus run` polls a fake Bot API as a subprocess while 30 simulated people
answer; it is killed with SIGKILL four times at random moments and started again. An
update is Telegram's to forget once the bot confirmed it (a later getUpdates offset):
every such update must have been handled, every person must get their next question,
and the database must hold every answer they gave.

Select with `-m crash`; about a minute.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import pytest

from bot.simulation.fake_bot_api import FakeBotApi
from bot.simulation.load import (
    LoadSettings,
    check_integrity,
    prepare_campaign,
    repeated_questions,
    run_load,
    stored_answers,
)
from bot.simulation.process import BotProcess, chorus_process

RESPONDENTS = 30
KILLS = 4
TOKEN = "7200000001:CRASH-test-token"

pytestmark = pytest.mark.crash


def handled(api: FakeBotApi, update_id: int) -> bool:
    """Whether the bot visibly dealt with an update: answered its callback query, or did
    something in the chat after a message arrived."""
    update = api.update(update_id)
    query = update.get("callback_query")
    if query is not None:
        return str(query["id"]) in api.callback_answers
    chat_id = int(update["message"]["chat"]["id"])
    arrived = api.update_times[update_id]
    return any(e.direction == "bot" and e.at > arrived for e in api.transcript(chat_id))


async def kill_repeatedly(process: BotProcess, rng: random.Random, done: asyncio.Event) -> int:
    kills = 0
    while kills < KILLS and not done.is_set():
        await asyncio.sleep(rng.uniform(1.5, 3.0))
        if done.is_set():
            break
        await process.restart()
        kills += 1
    return kills


async def test_kill_9_mid_run_loses_no_update_and_no_answer(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'crash.db'}"
    code = prepare_campaign(database_url, out_dir=tmp_path / "campaign", username="crash_bot")
    # About 17 taps each at 0.3-1 s: the run lasts long enough for every kill and restart.
    # Kills come 1.5-3 s apart and a restart takes a second or two: a person may wait through
    # two restarts for a reply.
    settings = LoadSettings(think=(0.3, 1.0), arrival=2.0, reply_timeout=25.0, seed=5)
    async with FakeBotApi(token=TOKEN, username="crash_bot", latency=0.01) as api:
        # These people tap every 0.3-1 s, faster than Telegram lets a bot write to one chat:
        # lift the pacing so the test measures durability, not Telegram's limits.
        unpaced = {
            "CHORUS_SEND_RATE": "1000",
            "CHORUS_CHAT_RATE": "100",
            "CHORUS_CHAT_BURST": "100",
        }
        process = chorus_process(
            api, database_url=database_url, log_path=tmp_path / "bot.log", extra_env=unpaced
        )
        await process.start()
        try:
            done = asyncio.Event()
            killer = asyncio.create_task(kill_repeatedly(process, random.Random(11), done))
            report = await run_load(
                api,
                campaign_code=code,
                respondents=RESPONDENTS,
                settings=settings,
                chat_id_base=20_000_000 + int(time.time()) % 100_000 * 100,
                time_limit=45.0,
            )
            done.set()
            kills = await killer
            await asyncio.sleep(2.0)  # let a restarted bot finish what it took
        finally:
            await process.stop()
        unhandled = sorted(u for u in api.confirmed if not handled(api, u))
        transcripts = {r.chat_id: api.render_transcript(r.chat_id)[-1500:] for r in report.results}
        last_speaker = {  # who spoke last, leaving out answers to callback queries
            r.chat_id: next(
                (e.direction for e in reversed(api.transcript(r.chat_id)) if e.kind != "answer"),
                "nobody",
            )
            for r in report.results
        }
        repeated_chats = {r.chat_id for r in report.results if repeated_questions(api, r.chat_id)}
        integrity = check_integrity(api, report, stored_answers(database_url, code))
    # Left without a next question: the last thing in the chat is the person's, never answered.
    # (Judged from the chat, not from the simulated person's patience: across two restarts on a
    # busy machine a reply can come after the person stopped waiting, and it still came.)
    stuck = [chat for chat, last in last_speaker.items() if last != "bot"]
    assert not unhandled, f"{len(unhandled)} of {len(api.confirmed)} confirmed updates unhandled"
    assert not stuck, f"{len(stuck)} respondents left without a next question: " + "\n".join(
        transcripts.get(chat, "") for chat in stuck[:2]
    )
    # A question Telegram took just before a kill, not yet recorded sent, is sent again after
    # the restart (the documented window, docs/runtime.md). A person who taps the second copy
    # is told it is an earlier question and the first answer stays; the simulated person's
    # notes then disagree with the database for that question. Anything else is a loss.
    unexplained = [key for key in integrity.lost if int(key.split(":")[0]) not in repeated_chats]
    assert not unexplained, f"{len(unexplained)} answers lost: {unexplained[:5]}"
    assert integrity.duplicated_answers == 0, integrity
    assert integrity.never_delivered == 0, integrity
    # A message Telegram took just before a kill, and not yet recorded sent, is sent again on
    # restart (the documented window, docs/runtime.md): at most the one message each chat had
    # in flight, so a chat sees at most one repeat per kill. A tap on the first copy of a
    # repeated question brings the current one back, which counts here too. Measured on a
    # quiet 2-core machine: 8 to 15 in all for 4 kills of 30 busy chats; a regression that
    # re-sent whole conversations would show hundreds.
    per_chat = {r.chat_id: repeated_questions(api, r.chat_id) for r in report.results}
    assert max(per_chat.values(), default=0) <= KILLS, per_chat
    assert integrity.duplicated_questions <= KILLS * 5, integrity
    # Last: a run that ended before every kill proves less than it claims.
    assert kills == KILLS, f"the run ended after {kills} kills: make the people slower"
