"""End-to-end benchmark: what a respondent waits for, with Telegram's round trip and faults.

The real bot runs as `chorus run` (long polling) in its own process, talking HTTP to the
project's fake Bot API in this process, which adds a round trip to every call and, if
asked, answers some calls 429 or 502 and delivers some updates twice. N simulated people
(`bot.simulation.load`) open the campaign link over `--arrival` seconds and answer the
built-in student survey, thinking `--think` seconds before each tap and pressing only
buttons the bot drew. Afterwards the database is compared with what they answered.

In the same run the floor, `bench/floor_bot.py` (a trivial PTB bot with concurrent
updates, no database, no rate limiter), is driven by the same people through the same
fake API and round trip, without faults; the ratio ours/floor is printed.

Not a test: run it by hand (it takes minutes; see docs/benchmarks.md).

    .venv/bin/python bench/bench_e2e.py [--respondents 200] [--latency 0.05] \
        [--rate-429 0.1 --rate-5xx 0.05 --redeliver 0.05] [--think 5 15] \
        [--database-url postgresql+psycopg://...] [--seed 1] [--no-floor] [--json out.json]
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
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.simulation.fake_bot_api import FakeBotApi, Faults  # noqa: E402
from bot.simulation.load import (  # noqa: E402
    Integrity,
    LoadReport,
    LoadSettings,
    check_integrity,
    median,
    percentile,
    prepare_campaign,
    run_load,
    stored_answers,
)
from bot.simulation.process import (  # noqa: E402
    BotProcess,
    bot_environment,
    chorus_process,
    free_port,
)

TOKEN = "7100000001:BENCH-e2e-token"
USERNAME = "chorus_bench_bot"
SETUP_METHODS = frozenset(
    {"getme", "getupdates", "deletewebhook", "setwebhook", "setmycommands", "close", "logout"}
)
"""Calls made to run the bot, not to answer anyone: left out of the calls per answer."""


@dataclass
class Phase:
    """One bot under the load: figures for the report."""

    name: str
    respondents: int
    finished: int
    seconds: float
    answers: int
    taps: int
    p50: float
    p99: float
    p50_answer: float
    p90: float
    max_latency: float
    bench_cpu: float
    """CPU seconds this process (fake Telegram and simulated people) used: if near `seconds`,
    the load generator, not the bot, set the pace."""
    calls: dict[str, int]
    failed_calls: dict[str, int]
    faults: dict[str, int]
    integrity: dict[str, Any] | None = None
    completed_in_db: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def calls_per_answer(self) -> float:
        return sum(self.calls.values()) / self.answers if self.answers else float("nan")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--respondents", type=int, default=200)
    p.add_argument("--latency", type=float, default=0.05, help="round trip per call, seconds")
    p.add_argument("--rate-429", type=float, default=0.0)
    p.add_argument("--retry-after", type=int, default=1)
    p.add_argument("--rate-5xx", type=float, default=0.0)
    p.add_argument("--redeliver", type=float, default=0.0)
    p.add_argument(
        "--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
        help="seconds a person takes before each tap, uniform (default 5 15)",
    )  # fmt: skip
    p.add_argument("--arrival", type=float, default=10.0, help="people arrive over N seconds")
    p.add_argument("--reply-timeout", type=float, default=60.0)
    p.add_argument("--time-limit", type=float, default=900.0, help="per bot, seconds")
    p.add_argument("--drain", type=float, default=30.0, help="wait for a backlog, seconds")
    p.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--concurrency", default=None, help="CHORUS_CONCURRENCY for chorus")
    p.add_argument("--send-rate", default=None, help="CHORUS_SEND_RATE (messages/s)")
    p.add_argument("--chat-rate", default=None, help="CHORUS_CHAT_RATE (messages/s per chat)")
    p.add_argument("--floor-questions", type=int, default=16)
    p.add_argument("--no-floor", action="store_true", help="measure chorus only")
    p.add_argument(
        "--webhook", action="store_true",
        help="both bots receive pushed updates (`chorus run --webhook`) instead of polling",
    )  # fmt: skip
    p.add_argument("--no-chorus", action="store_true", help="measure the floor only")
    p.add_argument("--keep", action="store_true", help="keep the logs and the database")
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = p.parse_args(argv)
    for name in ("rate_429", "rate_5xx", "redeliver"):
        if not 0 <= getattr(args, name) <= 1:
            p.error(f"--{name.replace('_', '-')} must be between 0 and 1")
    if args.respondents < 1 or args.latency < 0 or args.think[0] > args.think[1]:
        p.error("--respondents must be positive, --latency not negative, --think MIN <= MAX")
    return args


def runtime_env(args: argparse.Namespace) -> dict[str, str]:
    given = {
        "CHORUS_CONCURRENCY": args.concurrency,
        "CHORUS_SEND_RATE": args.send_rate,
        "CHORUS_CHAT_RATE": args.chat_rate,
    }
    return {key: str(value) for key, value in given.items() if value is not None}


def settings(args: argparse.Namespace) -> LoadSettings:
    return LoadSettings(
        think=(args.think[0], args.think[1]),
        arrival=args.arrival,
        reply_timeout=args.reply_timeout,
        seed=args.seed,
    )


def make_api(args: argparse.Namespace, *, faults: bool) -> FakeBotApi:
    chosen = Faults(
        rate_429=args.rate_429 if faults else 0.0,
        retry_after=args.retry_after,
        rate_5xx=args.rate_5xx if faults else 0.0,
        redeliver=args.redeliver if faults else 0.0,
        seed=args.seed,
    )
    return FakeBotApi(token=TOKEN, username=USERNAME, latency=args.latency, faults=chosen)


def summarise(name: str, api: FakeBotApi, report: LoadReport, since: float, cpu: float) -> Phase:
    calls: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for call in api.calls:
        method = call.method.lower()
        if call.at < since or method in SETUP_METHODS:
            continue
        calls[call.method] += 1
        if call.status != 200:
            failed[f"{call.method} {call.status}"] += 1
    latencies = report.latencies()
    return Phase(
        name=name,
        respondents=len(report.results),
        finished=report.finished,
        seconds=report.seconds,
        answers=report.answers,
        taps=len(report.samples),
        p50=median(latencies),
        p99=percentile(latencies, 0.99),
        p50_answer=median(report.latencies(kinds=("answer",))),
        p90=percentile(latencies, 0.9),
        bench_cpu=cpu,
        max_latency=latencies[-1] if latencies else float("nan"),
        calls=dict(calls.most_common()),
        failed_calls=dict(failed.most_common()),
        faults=dict(api.fault_counts),
        errors=sorted({r.error for r in report.results if r.error})[:5],
    )


async def drain(api: FakeBotApi, seconds: float) -> None:
    """Give a bot that fell behind time to finish: until nothing is queued and it is quiet."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        last = max((c.at for c in api.calls), default=0.0)
        if api.pending_updates == 0 and time.monotonic() - last > 2.0:
            return
        await asyncio.sleep(0.5)


async def measure(
    args: argparse.Namespace, name: str, api: FakeBotApi, process: BotProcess, code: str
) -> tuple[Phase, LoadReport]:
    async with process:
        since, cpu = time.monotonic(), time.process_time()
        report = await run_load(
            api,
            campaign_code=code,
            respondents=args.respondents,
            settings=settings(args),
            chat_id_base=10_000_000 + (int(time.time()) % 100_000) * 1_000,
            time_limit=args.time_limit,
        )
        cpu = time.process_time() - cpu
        await drain(api, args.drain)
    return summarise(name, api, report, since, cpu), report


async def chorus_phase(args: argparse.Namespace, work: Path) -> Phase:
    database_url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    code = prepare_campaign(database_url, out_dir=work / "campaign", username=USERNAME)
    async with make_api(args, faults=True) as api:
        process = chorus_process(
            api,
            database_url=database_url,
            log_path=work / "chorus.log",
            extra_env=runtime_env(args),
            webhook_port=free_port() if args.webhook else None,
        )
        phase, report = await measure(args, "chorus", api, process, code)
        stored = stored_answers(database_url, code)
        integrity: Integrity = check_integrity(api, report, stored)
    phase.integrity = {**asdict(integrity), "lost": len(integrity.lost), "ok": integrity.ok}
    phase.completed_in_db = len(stored.completed & {r.chat_id for r in report.results})
    return phase


async def floor_phase(args: argparse.Namespace, work: Path) -> Phase:
    async with make_api(args, faults=False) as api:
        env = bot_environment(api)
        argv = [sys.executable, str(ROOT / "bench" / "floor_bot.py")]
        argv += ["--questions", str(args.floor_questions)]
        ready = "getUpdates"
        if args.webhook:
            argv += ["--webhook-port", str(free_port())]
            ready = "setWebhook"
        process = BotProcess(api, argv, env=env, log_path=work / "floor.log", ready_method=ready)
        phase, _ = await measure(args, "floor", api, process, "floor")
    return phase


def show(phase: Phase) -> None:
    print(f"\n== {phase.name}")
    print(
        f"  {phase.finished}/{phase.respondents} finished in {phase.seconds:.1f}s; "
        f"{phase.answers} answers ({phase.answers / phase.seconds:.1f} answers/s), "
        f"{phase.taps} taps and messages; bench process CPU {phase.bench_cpu:.1f}s"
    )
    print(
        f"  reply latency: p50 {phase.p50 * 1000:.0f} ms, p90 {phase.p90 * 1000:.0f} ms, "
        f"p99 {phase.p99 * 1000:.0f} ms, "
        f"max {phase.max_latency * 1000:.0f} ms "
        f"(answers only: p50 {phase.p50_answer * 1000:.0f} ms)"
    )
    per = ", ".join(f"{m} {n / max(phase.answers, 1):.2f}" for m, n in phase.calls.items())
    print(f"  Bot API calls per answer: {phase.calls_per_answer:.2f} ({per})")
    if phase.failed_calls:
        print(f"  failed calls: {phase.failed_calls}; injected faults: {phase.faults}")
    if phase.integrity is not None:
        i = phase.integrity
        print(
            f"  integrity: {i['answers_given']} answers given, {i['lost']} lost, "
            f"{i['duplicated_answers']} stored twice, {i['duplicated_questions']} questions "
            f"sent twice in a row, {i['never_delivered']} replies never delivered; "
            f"{phase.completed_in_db} completed in the database"
        )
    for error in phase.errors:
        print(f"  e.g. {error}")


def header(args: argparse.Namespace) -> None:
    env = runtime_env(args)
    rates = ", ".join(f"{k}={v}" for k, v in env.items()) or "runtime defaults"
    mean_think = sum(args.think) / 2
    print(
        f"bench_e2e: {args.respondents} respondents, round trip {args.latency * 1000:.0f} ms, "
        f"think {args.think[0]:g}-{args.think[1]:g} s (offered ~"
        f"{args.respondents / mean_think:.1f} taps/s), arrival over {args.arrival:g} s, "
        f"seed {args.seed}, {'webhook' if args.webhook else 'long polling'}"
    )
    print(
        f"  faults for chorus: 429 {args.rate_429:.0%} (retry_after {args.retry_after}s), "
        f"5xx {args.rate_5xx:.0%}, redelivered {args.redeliver:.0%}; chorus settings: {rates}"
    )
    print(
        f"  database: {args.database_url or 'fresh SQLite file'}; "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs"
    )


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    header(args)
    phases: dict[str, Phase] = {}
    work = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    print(f"  logs and database in {work} (removed after a clean run)")
    if not args.no_chorus:
        phases["chorus"] = await chorus_phase(args, work)
        show(phases["chorus"])
    if not args.no_floor:
        phases["floor"] = await floor_phase(args, work)
        show(phases["floor"])
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if len(phases) == 2:
        ours, floor = phases["chorus"], phases["floor"]
        print(
            f"\nours/floor: p50 {ours.p50 / floor.p50:.2f}x, p99 {ours.p99 / floor.p99:.2f}x "
            "(targets: p50 <= 1.5x and chorus p99 < 1 s at 200 respondents, 50 ms)"
        )
    return {"args": {k: v for k, v in vars(args).items() if k != "json"}} | {
        name: asdict(phase) | {"calls_per_answer": phase.calls_per_answer}
        for name, phase in phases.items()
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        figures = asyncio.run(main_async(args))
    except (RuntimeError, TimeoutError) as exc:  # a bot that would not start: its log says why
        sys.exit(f"bench_e2e: {exc}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
