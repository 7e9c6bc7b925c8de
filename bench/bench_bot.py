"""Benchmark: answers per second through `Application.process_update`.

The real application (handlers, conversation service, engine, SQLite in WAL mode
in a temporary directory) with an offline Bot API and the rate limiter off, so
what is measured is the bot itself. Respondents are interleaved round-robin, one
update each per turn, the way a busy campaign's updates arrive: every respondent
opens the link, chooses a language and consents (set up first, not timed), then
answers the built-in student survey by pressing the buttons the bot sent and
typing the text answers (timed; multi-choice toggles are timed but not counted
as answers).

Counted per update: `process_update` (handler, one transaction with the answer and
its outbox rows) and the delivery of those rows through the offline Bot API
(`Delivery.settle`); building the updates and reading the replies is the simulated
phones' work. Not a test: run it by hand.

`--workers N` is the scale-out story instead: N processes, each its own
application, sharing the one SQLite file (the respondents split between them),
the way several `chorus run` workers share a database. It reports the combined
figure, a supplement to the single-process headline.

    .venv/bin/python bench/bench_bot.py [--respondents 1000] [--workers 1] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402
from telegram import Update  # noqa: E402

from bot.application import build_application  # noqa: E402
from bot.runtime import runtime_of  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from bot.simulation.offline_request import TOKEN, OfflineRequest  # noqa: E402
from surveys.crud.campaigns import create_campaign  # noqa: E402
from surveys.crud.surveys import add_survey  # noqa: E402
from surveys.db import init_db, make_engine  # noqa: E402
from surveys.loader import builtin_surveys  # noqa: E402

SURVEY_ID = "student-belonging"
TEXT_ANSWERS = (
    "More clubs after school, and a quiet place to study.",
    "Teachers who check in when I'm absent.",
    "Más tutorías los sábados.",
    "I don't know yet.",
)
ANSWER_PREFIXES = ("a:", "d:")


@dataclass
class Person:
    chat_id: int
    language_label: str
    started: bool = False
    done: bool = False
    prompt_id: int = 0
    prompt_text: str = ""
    buttons: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Result:
    respondents: int
    joining_updates: int
    updates: int
    answers: int
    seconds: float
    latencies_ms: list[float]
    workers: int = 1
    wall_seconds: float = 0.0
    """From the first worker starting its timed updates to the last one finishing."""

    def summary(self) -> dict[str, Any]:
        quantiles = statistics.quantiles(self.latencies_ms, n=100, method="inclusive")
        figures: dict[str, Any] = {
            "respondents": self.respondents,
            "workers": self.workers,
            "joining_updates_untimed": self.joining_updates,
            "updates": self.updates,
            "answers": self.answers,
            "seconds_in_process_update": round(self.seconds, 3),
            "answers_per_second": round(self.answers / self.seconds, 1),
            "updates_per_second": round(self.updates / self.seconds, 1),
            "p50_ms": round(quantiles[49], 3),
            "p99_ms": round(quantiles[98], 3),
            "max_ms": round(max(self.latencies_ms), 3),
            "python": platform.python_version(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        }
        if self.workers > 1:
            # The phones' work (building updates) runs in the workers too, so the
            # wall-clock figure is the lower bound of the two.
            figures["answers_per_second_wall_clock"] = round(self.answers / self.wall_seconds, 1)
        return figures


@dataclass
class _Share:
    """One worker's part of a run, and when its timed phase began and ended."""

    result: Result
    started: float
    finished: float


def _user(person: Person) -> dict[str, Any]:
    return {"id": person.chat_id, "is_bot": False, "first_name": "Bench"}


def _chat(person: Person) -> dict[str, Any]:
    return {"id": person.chat_id, "type": "private"}


class Phones:
    """Builds each respondent's next update from the last prompt the bot sent them."""

    def __init__(self, code: str, rng: random.Random, first_update_id: int = 0) -> None:
        self.code = code
        self.rng = rng
        self.update_id = first_update_id
        self.message_id = 0

    def _ids(self) -> tuple[int, int]:
        self.update_id += 1
        self.message_id += 1
        return self.update_id, self.message_id

    def message(self, person: Person, text: str) -> dict[str, Any]:
        update_id, message_id = self._ids()
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": 1_770_000_000,
            "chat": _chat(person),
            "from": _user(person),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": update_id, "message": message}

    def press(self, person: Person, data: str) -> dict[str, Any]:
        update_id, _ = self._ids()
        keyboard = [[b] for b in person.buttons]
        return {
            "update_id": update_id,
            "callback_query": {
                "id": str(update_id),
                "from": _user(person),
                "chat_instance": str(person.chat_id),
                "data": data,
                "message": {
                    "message_id": person.prompt_id,
                    "date": 1_770_000_000,
                    "chat": _chat(person),
                    "text": person.prompt_text,
                    "reply_markup": {"inline_keyboard": keyboard},
                },
            },
        }

    @staticmethod
    def joining(person: Person) -> bool:
        """Still opening the link, choosing a language or consenting (not yet answering)."""
        if not person.started:
            return True
        return any(str(b["callback_data"])[:2] in ("l:", "c:") for b in person.buttons)

    def next_update(self, person: Person) -> tuple[dict[str, Any], bool]:
        """The respondent's next update, and whether it answers a question."""
        if not person.started:
            person.started = True
            return self.message(person, f"/start {self.code}"), False
        data = [str(b["callback_data"]) for b in person.buttons]
        language = [d for d in data if d.startswith("l:")]
        if language:
            label = person.language_label
            chosen = next(str(b["callback_data"]) for b in person.buttons if b["text"] == label)
            return self.press(person, chosen), False
        # Buttons carry `|<signature>` (bot.callback_data.sign): compare what comes before it.
        consent = [d for d in data if d.startswith("c:") and d.split("|", 1)[0].endswith(":y")]
        if consent:
            return self.press(person, consent[0]), False
        choices = [d for d in data if d.startswith("a:")]
        if choices:
            return self.press(person, self.rng.choice(choices)), True
        toggles = [d for d in data if d.startswith("t:")]
        if toggles:
            already = any(str(b["text"]).startswith("✅") for b in person.buttons)
            if not already:
                return self.press(person, self.rng.choice(toggles)), False
            done = next(d for d in data if d.startswith("d:"))
            return self.press(person, done), True
        return self.message(person, self.rng.choice(TEXT_ANSWERS)), True


def _observe(person: Person, request: OfflineRequest) -> None:
    for call in request.calls:
        if call.chat_id != person.chat_id or call.result is None:
            continue
        if call.method == "sendMessage":
            person.prompt_id = call.result["message_id"]
            person.prompt_text = call.text or ""
            person.buttons = call.buttons
            if call.text and not call.buttons and "/delete" in call.text:
                person.done = True  # the thanks message
        elif call.method == "editMessageText" and call.buttons:
            person.prompt_text = call.text or ""
            person.buttons = call.buttons
    request.calls.clear()


def _prepare(url: str) -> str:
    """Create the database and the campaign; returns the campaign's link code."""
    engine = make_engine(url)
    init_db(engine)
    survey = next(s for s in builtin_surveys() if s.id == SURVEY_ID)
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        record = add_survey(session, survey=survey)
        campaign = create_campaign(
            session,
            survey_record=record,
            organization="Bridges Tutoring",
            school="Lincoln Middle School",
            grade="8",
            audience="student",
            default_language="en",
            closes_at=now + timedelta(days=30),
        )
        session.commit()
        code = campaign.code
    engine.dispose()
    return code


UPDATE_IDS_PER_WORKER = 100_000_000
"""Update ids are claimed once across all workers, so each worker numbers its own range."""


async def _serve(
    url: str, code: str, people: range, seed: int, worker: int = 0, barrier: Any = None
) -> _Share:
    """Join `people` (untimed), wait for the other workers if any, then time their answers."""
    engine = make_engine(url)
    request = OfflineRequest()
    settings = BotSettings(token=TOKEN, _env_file=None)  # type: ignore[call-arg]
    app = build_application(
        settings,
        engine=engine,
        request=request,
        get_updates_request=OfflineRequest(record=False),
        rate_limit=False,
    )
    await app.initialize()
    delivery = runtime_of(app).delivery
    request.calls.clear()
    rng = random.Random(seed + worker)
    phones = Phones(code, rng, first_update_id=worker * UPDATE_IDS_PER_WORKER)
    persons = [
        Person(chat_id=10_000 + i, language_label="English" if i % 3 else "Español") for i in people
    ]

    async def process(person: Person, data: dict[str, Any]) -> float:
        update = Update.de_json(data, app.bot)
        began = time.perf_counter()
        await app.process_update(update)
        await delivery.settle()  # the replies, from the outbox through the offline Bot API
        elapsed = time.perf_counter() - began
        _observe(person, request)
        return elapsed

    # Joining (the link, the language, consent) is set up first and not timed:
    # the figure is about answers.
    joined = 0
    while waiting := [p for p in persons if phones.joining(p)]:
        for person in waiting:
            await process(person, phones.next_update(person)[0])
            joined += 1

    if barrier is not None:
        barrier.wait()  # every worker has joined its people: the timed phase starts together
    latencies: list[float] = []
    answers = 0
    spent = 0.0
    started = time.monotonic()  # system-wide on Linux: comparable between the workers
    active = list(persons)
    while active:
        for person in active:
            data, is_answer = phones.next_update(person)
            elapsed = await process(person, data)
            spent += elapsed
            latencies.append(elapsed * 1000)
            answers += is_answer
        active = [p for p in active if not p.done]
    finished = time.monotonic()
    await app.shutdown()
    engine.dispose()
    result = Result(len(persons), joined, len(latencies), answers, spent, latencies)
    return _Share(result, started, finished)


async def run(respondents: int, seed: int = 7) -> Result:
    """The headline figure: one process, one application."""
    with tempfile.TemporaryDirectory(prefix="chorus-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        share = await _serve(url, _prepare(url), range(respondents), seed)
    return share.result


def _worker(
    url: str, code: str, people: range, seed: int, worker: int, barrier: Any, out: Any
) -> None:
    out.put(asyncio.run(_serve(url, code, people, seed, worker, barrier)))


def run_workers(respondents: int, workers: int, seed: int = 7) -> Result:
    """`workers` processes on one SQLite file, the respondents dealt out between them.

    Combined answers per second add up each worker's own figure (answers over its
    time inside `process_update`), the same measure as the single-process one.
    """
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each, no shared state
    with tempfile.TemporaryDirectory(prefix="chorus-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        code = _prepare(url)
        barrier = context.Barrier(workers)
        out = context.Queue()
        processes = [
            context.Process(
                target=_worker,
                args=(url, code, range(w, respondents, workers), seed, w, barrier, out),
            )
            for w in range(workers)
        ]
        for process in processes:
            process.start()
        shares: list[_Share] = [out.get() for _ in processes]
        for process in processes:
            process.join()
            if process.exitcode != 0:
                raise SystemExit(f"a worker failed (exit code {process.exitcode})")
    parts = [share.result for share in shares]
    answers = sum(part.answers for part in parts)
    rate = sum(part.answers / part.seconds for part in parts)
    return replace(
        parts[0],
        respondents=respondents,
        joining_updates=sum(part.joining_updates for part in parts),
        updates=sum(part.updates for part in parts),
        answers=answers,
        seconds=answers / rate,
        latencies_ms=[ms for part in parts for ms in part.latencies_ms],
        workers=workers,
        wall_seconds=max(s.finished for s in shares) - min(s.started for s in shares),
    )


def _table(summary: dict[str, Any]) -> str:
    rows = [
        ("respondents (interleaved)", f"{summary['respondents']:,}"),
        ("worker processes", f"{summary['workers']}"),
        ("joining updates (untimed)", f"{summary['joining_updates_untimed']:,}"),
        ("answering updates (timed)", f"{summary['updates']:,}"),
        ("answers stored", f"{summary['answers']:,}"),
        ("time in process_update", f"{summary['seconds_in_process_update']:.2f} s"),
        ("answers per second", f"{summary['answers_per_second']:,.0f}"),
        *(
            [("  wall clock, all workers", f"{summary['answers_per_second_wall_clock']:,.0f}")]
            if "answers_per_second_wall_clock" in summary
            else []
        ),
        ("updates per second", f"{summary['updates_per_second']:,.0f}"),
        ("latency p50", f"{summary['p50_ms']:.2f} ms"),
        ("latency p99", f"{summary['p99_ms']:.2f} ms"),
        ("latency max", f"{summary['max_ms']:.2f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value:>12}" for name, value in rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1000, help="interleaved respondents")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seed", type=int, default=7, help="for the answers chosen")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes sharing the one SQLite file (a supplementary, combined figure)",
    )
    args = parser.parse_args(argv)
    if args.respondents < 1:
        parser.error("--respondents must be at least 1")
    if not 1 <= args.workers <= args.respondents:
        parser.error("--workers must be between 1 and --respondents")
    if args.workers == 1:
        result = asyncio.run(run(args.respondents, args.seed))
    else:
        result = run_workers(args.respondents, args.workers, args.seed)
    summary = result.summary()
    print(json.dumps(summary, indent=2) if args.json else _table(summary))


if __name__ == "__main__":
    main()
