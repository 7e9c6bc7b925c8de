"""Packet benchmark: 10,000 respondents, 1,000,000 likert answers, 100,000 open answers.

Loads through the database, as `chorus report` does: the data is bulk-inserted into a
fresh, migrated SQLite file first (not timed), and each open answer is worked out and kept as
the bot's analysis loop does while a campaign runs (`bot/analysing.py`; timed and printed,
not part of the packet). Then a child process builds the whole
packet from it (load, numbers, themes, charts, HTML, PDF, Markdown, XLSX, CSV) and reports its
wall time and the peak memory of each process it uses (the packet process, imports included;
its theme worker; its two PDF helpers), each measured by that process itself. The same
open answers then go through the naive per-answer TextBlob loop (`bench/naive_text.py`) in
the same run, and the two theme tables must be equal. Last, the packet is built once more
from a copy of the database with nothing kept ("cold": answers that arrived with no bot
running, say), where the theme worker works every comment out itself.

    .venv/bin/python bench/bench_packet.py                 # the full size
    .venv/bin/python bench/bench_packet.py --respondents 1000   # a quick look

Targets on 2 cores: packet <= 10 s (PDF included) and <= 1.5 GB; text part >= 3x faster than
the naive loop. The split printed: load, numbers, charts, themes (worker), PDF, other writing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from surveys.definition import Survey  # noqa: E402
from surveys.models import Answer, Campaign, Respondent, SurveyRecord  # noqa: E402

LIKERT_ITEMS = 100
TEXT_ITEMS = 10
DOMAINS = ("belonging", "consistency", "coherence", "aspiration", "needs", "services")
T0 = datetime(2026, 3, 1, tzinfo=UTC)
AGREE = {
    "en": ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"],
    "es": ["Muy en desacuerdo", "En desacuerdo", "Ni uno ni otro", "De acuerdo", "Muy de acuerdo"],
}


def bench_survey(audience: str) -> Survey:
    """A survey with `LIKERT_ITEMS` likert items over the six domains and `TEXT_ITEMS` open ones.

    Every tenth item is reverse-worded, every seventh offers "not sure", and the first 20
    items carry a mirror key shared by the student and caregiver versions.
    """
    questions: list[dict[str, object]] = []
    for i in range(LIKERT_ITEMS):
        questions.append(
            {
                "id": f"q{i}",
                "type": "likert",
                "domain": DOMAINS[i % len(DOMAINS)],
                "scale": "agree",
                "reverse": i % 10 == 9,
                "not_sure": i % 7 == 0,
                "mirror": f"m{i}" if i < 20 else None,
                "text": {"en": f"{audience} statement {i}", "es": f"{audience} enunciado {i}"},
            }
        )
    for j in range(TEXT_ITEMS):
        questions.append(
            {
                "id": f"t{j}",
                "type": "text",
                "domain": "voice",
                "text": {"en": f"Open question {j}", "es": f"Pregunta abierta {j}"},
            }
        )
    return Survey.model_validate(
        {
            "id": f"bench-{audience}",
            "version": "1",
            "title": {"en": f"Bench {audience}", "es": f"Bench {audience}"},
            "audience": audience,
            "languages": ["en", "es"],
            "intro": {"en": "-", "es": "-"},
            "consent": {"en": "-", "es": "-"},
            "thanks": {"en": "-", "es": "-"},
            "scales": {"agree": AGREE},
            "questions": questions,
        }
    )


def populate(url: str, respondents: int, seed: int) -> dict[str, object]:
    """Bulk-insert the synthetic campaigns into the database at `url`; returns what was made."""
    from bench.bench_text import generate_texts
    from surveys.db import init_db, make_engine

    engine = make_engine(url)
    init_db(engine)
    rng = random.Random(seed)
    texts = generate_texts(respondents * TEXT_ITEMS, respondents=respondents, seed=seed)
    codes = []
    counts = {"respondents": 0, "likert": 0, "open": 0}
    with engine.begin() as conn:
        for k, audience in enumerate(("student", "caregiver")):
            survey = bench_survey(audience)
            survey_pk = conn.execute(
                insert(SurveyRecord).values(
                    survey_id=survey.id,
                    version=survey.version,
                    version_hash=survey.version_hash,
                    title=survey.id,
                    definition=survey.canonical_json(),
                    created_at=T0,
                )
            ).inserted_primary_key[0]
            code = f"BENCH{audience.upper()}"
            codes.append(code)
            campaign_pk = conn.execute(
                insert(Campaign).values(
                    code=code,
                    survey_pk=survey_pk,
                    organization="Bench",
                    school="Bench High",
                    grade="9-12",
                    audience=audience,
                    default_language="en",
                    opens_at=T0,
                    roster_size=respondents * 3 // 5,  # 5,000 of 6,000 invited answered
                    created_at=T0,
                )
            ).inserted_primary_key[0]
            half = range(k * respondents // 2, (k + 1) * respondents // 2)
            resp_rows, answer_rows = [], []
            for r in half:
                rid = f"{r:032x}"
                spanish = r % 10 < 3  # the same rule generate_texts uses for its language
                lean = rng.random()  # some people are more positive than others
                resp_rows.append(
                    {
                        "id": rid,
                        "campaign_id": campaign_pk,
                        "role": audience,
                        "language": "es" if spanish else "en",
                        "status": "completed",
                        "started_at": T0,
                        "updated_at": T0,
                        "completed_at": T0 + timedelta(minutes=9),
                    }
                )
                for i in range(LIKERT_ITEMS):
                    roll = rng.random()
                    if roll < 0.03:
                        value, skipped = None, True
                    elif i % 7 == 0 and roll < 0.06:
                        value, skipped = "not_sure", False
                    else:
                        value = str(min(5, max(1, round(rng.gauss(2.2 + 2.2 * lean, 1.0)))))
                        skipped = False
                    answer_rows.append(
                        {
                            "respondent_id": rid,
                            "question_id": f"q{i}",
                            "value": value,
                            "text": None,
                            "skipped": skipped,
                            "flagged": False,
                            "answered_at": T0,
                        }
                    )
            mine = texts[texts["respondent_id"].isin([f"r{r:05d}" for r in half])]
            for row in mine.itertuples(index=False):
                r = int(str(row.respondent_id)[1:])
                answer_rows.append(
                    {
                        "respondent_id": f"{r:032x}",
                        "question_id": "t" + str(row.question_id).rsplit("_", 1)[1],
                        "value": None,
                        "text": row.text,
                        "skipped": False,
                        "flagged": bool(row.flagged),
                        "answered_at": T0,
                    }
                )
            conn.execute(insert(Respondent), resp_rows)
            for start in range(0, len(answer_rows), 100_000):
                conn.execute(insert(Answer), answer_rows[start : start + 100_000])
            counts["respondents"] += len(resp_rows)
            counts["likert"] += sum(1 for a in answer_rows if a["text"] is None)
            counts["open"] += sum(1 for a in answer_rows if a["text"] is not None)
    engine.dispose()
    return {"codes": codes, **counts, "distinct_texts": int(texts["text"].nunique())}


def analyse_arrivals(url: str) -> tuple[int, float]:
    """Work out and keep every open answer not yet analysed, a batch per transaction, as the
    bot's analysis loop does; returns how many and the seconds it took."""
    from analysis.arrivals import BATCH, analyse_pending
    from surveys.db import make_engine, session_scope

    engine = make_engine(url)
    started = time.perf_counter()
    total = 0
    while True:
        with session_scope(engine) as session:
            done = analyse_pending(session, limit=BATCH)
        total += done
        if done < BATCH:
            break
    engine.dispose()
    return total, time.perf_counter() - started


def cold_copy(db: Path) -> Path:
    """A copy of the database with nothing kept by the analysis loop."""
    import sqlite3

    cold = db.with_name("cold.db")
    source, target = sqlite3.connect(db), sqlite3.connect(cold)
    with target:
        source.backup(target)
        target.execute("DELETE FROM answer_analysis")
    source.close()
    target.close()
    return cold


def measure(url: str, codes: list[str], out: Path, naive_too: bool = True) -> None:
    """Child process: build and write the packet, then the naive text baseline; print JSON."""
    start = time.perf_counter()
    from analysis import packet
    from analysis.breakdowns import latest_waves
    from analysis.frames import load_responses
    from analysis.peak_memory import peak_memory_mb
    from surveys.db import make_engine, session_scope

    engine = make_engine(url)
    with session_scope(engine) as session:
        report = packet.build_report(session, campaign_codes=codes)
    built = time.perf_counter() - start
    paths = packet.write_outputs(report, out)
    total = time.perf_counter() - start
    me = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Each process's own peak (VmHWM): `ru_maxrss` would carry this process's into the
    # helper it starts, and the benchmark's own (the bulk insert) into this one.
    peak_mb = peak_memory_mb()
    worker_mb = report.timings.get("themes_worker_mb", 0.0)
    helper_mb = report.timings.get("pdf_helper_mb", 0.0)
    cpu, worker_cpu = me.ru_utime + me.ru_stime, workers.ru_utime + workers.ru_stime
    load_average = os.getloadavg()[0]

    if not naive_too:
        print(json.dumps({"total": total, "stage_themes": report.timings.get("themes", 0.0)}))
        return
    # The baseline, on exactly the texts the packet summarized (not part of the timing above).
    from bench.naive_text import naive_summarize_themes

    with session_scope(engine) as session:
        responses = load_responses(session, campaign_codes=codes)
    current = responses.subset(latest_waves(responses.campaigns))
    texts = packet.open_texts(current)
    t0 = time.perf_counter()
    naive = naive_summarize_themes(texts, language="en", max_quotes=3)
    naive_s = time.perf_counter() - t0
    pd.testing.assert_frame_equal(
        report.tables["themes"].reset_index(drop=True),
        naive[naive["respondents"] > 0].reset_index(drop=True)[report.tables["themes"].columns],
        check_exact=False,
        rtol=1e-12,
        atol=1e-12,
    )
    print(
        json.dumps(
            {
                **{f"stage_{k}": v for k, v in report.timings.items()},
                "build": built,
                "total": total,
                "naive_text": naive_s,
                "peak_mb": peak_mb,
                "cpu": cpu,
                "worker_cpu": worker_cpu,
                "load_average": load_average,
                "worker_mb": worker_mb,
                "helper_mb": helper_mb,
                "helper_cpu": report.timings.get("pdf_helper_cpu", 0.0),
                "themes": len(report.tables["themes"]),
                "texts": len(texts),
                "html_kb": paths.html.stat().st_size / 1024 if paths.html else 0,
                "html": str(paths.html),
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="write the database and packet here")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: reuse the database made last time"
    )
    parser.add_argument(
        "--measure", nargs=4, metavar=("URL", "CODES", "OUT", "NAIVE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.measure:
        url, codes, out, naive_too = args.measure
        measure(url, codes.split(","), Path(out), naive_too == "naive")
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.db"
    url = f"sqlite:///{db}"
    if args.reuse and db.exists():
        from surveys.db import init_db, make_engine

        init_db(make_engine(url))  # a database made before the newest migration
        made = json.loads((work / "made.json").read_text())
        setup = float("nan")
    else:
        db.unlink(missing_ok=True)
        t0 = time.perf_counter()
        made = populate(url, args.respondents, args.seed)
        setup = time.perf_counter() - t0
        (work / "made.json").write_text(json.dumps(made))
    print(
        f"data: {made['respondents']:,} respondents, {made['likert']:,} likert answers, "
        f"{made['open']:,} open answers ({made['distinct_texts']:,} distinct); "
        f"bulk insert {setup:.1f} s (not timed)"
    )
    analysed, analysing_s = analyse_arrivals(url)
    each = f", {1000 * analysing_s / analysed:.2f} ms each" if analysed else ""
    print(
        f"analysis loop: {analysed:,} open answers worked out and kept in {analysing_s:.1f} s"
        f"{each} (as they arrive, before the packet; not timed)"
    )
    m = run_packet(url, made["codes"], work / "out", naive_too=True)
    cold = run_packet(f"sqlite:///{cold_copy(db)}", made["codes"], work / "out-cold")
    if m is None or cold is None:
        return 1
    speedup = m["naive_text"] / cold["stage_themes"]
    print(f"packet (load, numbers, themes, charts, html, pdf, md, xlsx, csv): {m['total']:.1f} s")
    writing = m["total"] - m["build"]
    print(
        f"  load {m['stage_load']:.1f} s; numbers {m['stage_numbers']:.1f} s; station charts "
        f"{m['stage_charts']:.1f} s; themes {m['stage_themes']:.1f} s in a worker started before "
        f"the load; PDF {m['stage_pdf']:.1f} s; other writing {writing - m['stage_pdf']:.1f} s"
    )
    print(
        f"CPU: packet process {m['cpu']:.1f} s, theme worker "
        f"{m['worker_cpu'] - m['helper_cpu']:.1f} s, PDF helpers {m['helper_cpu']:.1f} s "
        f"(load average {m['load_average']:.1f} on {os.cpu_count()} cores at the end)"
    )
    print(
        f"peak memory: packet process {m['peak_mb']:.0f} MB, theme worker {m['worker_mb']:.0f} MB, "
        f"PDF helpers {m['helper_mb']:.0f} MB (these start after the theme worker has ended)"
    )
    print(
        f"naive per-answer TextBlob loop on the same {m['texts']:,} texts: {m['naive_text']:.1f} s"
    )
    print(
        f"cold (nothing kept by the analysis loop): packet {cold['total']:.1f} s, themes "
        f"{cold['stage_themes']:.1f} s in the worker"
    )
    print(f"text speedup (cold): {speedup:.1f}x; theme tables equal: yes ({m['themes']} themes)")
    if args.keep is not None:
        print(f"packet: {m['html']} ({m['html_kb']:.0f} KB)")
    if args.respondents == 10_000:
        memory = m["peak_mb"] + m["worker_mb"] + m["helper_mb"]  # as if all at once
        ok = m["total"] <= 10 and memory <= 1536 and speedup >= 3
        print("targets (<= 10 s, <= 1.5 GB, >= 3x):", "met" if ok else "NOT met")
    else:
        print("(the targets are for the full size, 10,000 respondents)")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def run_packet(url: str, codes: list[str], out: Path, *, naive_too: bool = False) -> dict | None:
    """`measure` in a child process of its own: imports and peak memory are the packet's."""
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            url,
            ",".join(codes),
            str(out),
            "naive" if naive_too else "-",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        print(child.stdout, child.stderr, sep="\n", file=sys.stderr)
        return None
    return json.loads(child.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
