"""Results sent back: queue 10,000 respondents, deliver them as bulk traffic, keep replies fast.

Four figures, on one fresh database (SQLite unless `--database-url`):

1. **time to queue**: `plan_share` (headline findings over every answer) and the batches
   of `queue_share_batch` that mark each contact and write its outbox row;
2. **delivery rate**: the real runtime (`bot.serving`, in this process) sends the
   broadcast through the fake Bot API (with a round trip of `--latency`) at the configured
   limit (`--send-rate`, Telegram's 30/s by default); the rate is measured over
   `--window` seconds (or until all are out, with `--all`);
3. **interactive replies**: `--probes` people send /help one after another; their reply
   latency (from the update to the reply reaching Telegram), p50 and p90, first with
   nothing else queued, then while the broadcast is being delivered.

Not a test: run it by hand (about a minute; see docs/benchmarks.md).

    .venv/bin/python bench/bench_share.py [--respondents 10000] [--send-rate 30] \
        [--latency 0.05] [--window 30] [--probes 5] [--all] [--database-url URL] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, insert, update  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.serving import serving  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from bot.sharing import plan_share, queue_share_batch  # noqa: E402
from bot.simulation.fake_bot_api import FakeBotApi  # noqa: E402
from bot.simulation.load import median, percentile, prepare_campaign  # noqa: E402
from surveys import conversations  # noqa: E402
from surveys.db import make_engine, session_scope  # noqa: E402
from surveys.models import Answer, Campaign, Contact, Respondent  # noqa: E402

TOKEN = "7100000002:BENCH-share-token"
USERNAME = "chorus_bench_bot"
FIRST_CHAT = 50_000_000
PROBE_CHAT = 90_000_000


@dataclass
class Figures:
    respondents: int
    plan_seconds: float
    queue_seconds: float
    queued: int
    send_rate_limit: float
    delivered: int
    delivery_seconds: float
    delivery_rate: float
    idle_p50_ms: float
    idle_p90_ms: float
    idle_replies: int
    busy_p50_ms: float
    busy_p90_ms: float
    busy_replies: int


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--respondents", type=int, default=10_000)
    p.add_argument("--send-rate", type=float, default=30.0, help="CHORUS_SEND_RATE, messages/s")
    p.add_argument("--latency", type=float, default=0.05, help="Bot API round trip, seconds")
    p.add_argument("--window", type=float, default=30.0, help="seconds of delivery measured")
    p.add_argument("--probes", type=int, default=5, help="people sending /help meanwhile")
    p.add_argument("--all", action="store_true", help="deliver the whole broadcast")
    p.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = p.parse_args(argv)
    if args.respondents < 10 or args.send_rate <= 0 or args.probes < 1:
        p.error("--respondents must be at least 10, --send-rate positive, --probes at least 1")
    return args


def seed(engine: Engine, code: str, respondents: int) -> None:
    """`respondents` completed answers to campaign `code` (bulk inserts), then close it."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        campaign = session.exec(select(Campaign).where(Campaign.code == code)).one()
        ids = [uuid.uuid4().hex for _ in range(respondents)]
        people = [
            {"id": rid, "campaign_id": campaign.id, "role": "student", "status": "completed",
             "language": "es" if i % 3 == 0 else "en", "started_at": now, "updated_at": now,
             "completed_at": now}
            for i, rid in enumerate(ids)
        ]  # fmt: skip
        contacts = [
            {"respondent_id": rid, "chat_id": FIRST_CHAT + i, "campaign_id": campaign.id,
             "opted_out": False, "created_at": now, "updated_at": now}
            for i, rid in enumerate(ids)
        ]  # fmt: skip
        answers = [
            {"respondent_id": rid, "question_id": q, "value": str(1 + (i + k) % 5),
             "skipped": False, "flagged": False, "answered_at": now}
            for i, rid in enumerate(ids) for k, q in enumerate(("b1", "b2", "c1", "c2"))
        ]  # fmt: skip
        connection = session.connection()
        connection.execute(insert(Respondent), people)
        connection.execute(insert(Contact), contacts)
        connection.execute(insert(Answer), answers)
        connection.execute(
            update(Campaign)
            .where(Campaign.id == campaign.id)  # type: ignore[arg-type]
            .values(status="closed", closes_at=now - timedelta(minutes=1))
        )


def queue_everything(engine: Engine, code: str) -> tuple[float, float, int]:
    started = time.perf_counter()
    with session_scope(engine) as session:
        plan = plan_share(session, code=code)
    planned = time.perf_counter()
    queued = 0
    while added := conversations.run(engine, partial(queue_share_batch, plan=plan)):
        queued += added
    return planned - started, time.perf_counter() - planned, queued


async def probe(api: FakeBotApi, chat_id: int, until: float, latencies: list[float]) -> None:
    """Send /help, wait for the reply, again, until `until` (monotonic)."""
    while time.monotonic() < until:
        action = api.send_command(chat_id, "/help")
        sent = time.monotonic()
        await api.wait_for_reply(chat_id, after=action, timeout=30.0)
        latencies.append(time.monotonic() - sent)
        await asyncio.sleep(1.1)  # slower than Telegram's 1 message/s per chat: never paced


async def probes(api: FakeBotApi, args: argparse.Namespace, seconds: float) -> list[float]:
    latencies: list[float] = []
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(probe(api, PROBE_CHAT + i, until, latencies) for i in range(args.probes))
    )
    return sorted(latencies)


def delivered(api: FakeBotApi) -> int:
    return sum(
        1 for c in api.calls_to("sendMessage")
        if c.status == 200 and FIRST_CHAT <= int(c.params.get("chat_id", 0)) < PROBE_CHAT
    )  # fmt: skip


async def deliver(args: argparse.Namespace, engine: Engine, code: str, figures: dict) -> None:
    async with FakeBotApi(token=TOKEN, username=USERNAME, latency=args.latency) as api:
        for i in range(args.respondents):
            api.add_user(FIRST_CHAT + i)
        settings = BotSettings(
            token=api.token, username=USERNAME, api_base_url=api.base_url,
            send_rate=args.send_rate, _env_file=None,  # type: ignore[call-arg]
        )  # fmt: skip
        async with serving(settings, engine, rate_limit=True, poll_timeout=1):
            idle = await probes(api, args, 10.0)
            figures["idle"] = idle
            plan_seconds, queue_seconds, queued = queue_everything(engine, code)
            figures.update(plan=plan_seconds, queue=queue_seconds, queued=queued)
            started, before = time.monotonic(), delivered(api)
            busy = await probes(api, args, args.window)
            if args.all:
                while delivered(api) < queued:
                    await asyncio.sleep(0.5)
            figures.update(busy=busy, seconds=time.monotonic() - started)
            figures["delivered"] = delivered(api) - before


def report(args: argparse.Namespace, raw: dict) -> Figures:
    idle, busy = raw["idle"], raw["busy"]
    return Figures(
        respondents=args.respondents,
        plan_seconds=raw["plan"],
        queue_seconds=raw["queue"],
        queued=raw["queued"],
        send_rate_limit=args.send_rate,
        delivered=raw["delivered"],
        delivery_seconds=raw["seconds"],
        delivery_rate=raw["delivered"] / raw["seconds"],
        idle_p50_ms=median(idle) * 1000,
        idle_p90_ms=percentile(idle, 0.9) * 1000,
        idle_replies=len(idle),
        busy_p50_ms=median(busy) * 1000,
        busy_p90_ms=percentile(busy, 0.9) * 1000,
        busy_replies=len(busy),
    )


def show(f: Figures) -> None:
    print(f"  plan (headline findings): {f.plan_seconds:.2f} s")
    print(
        f"  queued {f.queued} results in {f.queue_seconds:.2f} s "
        f"({f.queued / f.queue_seconds:,.0f} per second)"
    )
    print(
        f"  delivered {f.delivered} in {f.delivery_seconds:.1f} s: "
        f"{f.delivery_rate:.1f} messages/s against a limit of {f.send_rate_limit:g}/s "
        "(the /help replies share it)"
    )
    print(
        f"  /help reply latency: idle p50 {f.idle_p50_ms:.0f} ms, p90 {f.idle_p90_ms:.0f} ms "
        f"({f.idle_replies} replies); during the broadcast p50 {f.busy_p50_ms:.0f} ms, "
        f"p90 {f.busy_p90_ms:.0f} ms ({f.busy_replies} replies)"
    )


async def main_async(args: argparse.Namespace) -> Figures:
    work = Path(tempfile.mkdtemp(prefix="chorus-bench-share-"))
    url = args.database_url or f"sqlite:///{work / 'share.db'}"
    print(
        f"bench_share: {args.respondents} respondents, send rate {args.send_rate:g}/s, "
        f"round trip {args.latency * 1000:.0f} ms, {args.probes} probes; database "
        f"{args.database_url or 'fresh SQLite file'}; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs"
    )
    code = prepare_campaign(url, out_dir=work / "campaign", username=USERNAME)
    engine = make_engine(url)
    try:
        seed(engine, code, args.respondents)
        raw: dict = {}
        await deliver(args, engine, code, raw)
    finally:
        engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    figures = report(args, raw)
    show(figures)
    return figures


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    figures = asyncio.run(main_async(args))
    if args.json is not None:
        args.json.write_text(json.dumps(asdict(figures), indent=2) + "\n")


if __name__ == "__main__":
    main()
