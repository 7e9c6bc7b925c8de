"""Stored answers as tidy pandas frames: the one way analysis reads the database.

Everything downstream (numbers, themes, the packet, `chorus export`) starts from
`Responses`, so the privacy boundary lives here: the `contact` table, the only
place a Telegram chat id is kept, is never selected from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Integer, TextClause, bindparam, select, text
from sqlmodel import Session

from surveys.definition import Survey
from surveys.models import Campaign, SurveyRecord

CAMPAIGN_COLUMNS = [
    "campaign",
    "survey_id",
    "survey_version",
    "version_hash",
    "organization",
    "school",
    "grade",
    "audience",
    "default_language",
    "opens_at",
    "closes_at",
    "status",
    "roster_size",
    "declined_count",
    "follow_up",
]
RESPONDENT_COLUMNS = [
    "respondent_id",
    "campaign",
    "role",
    "language",
    "status",
    "started_at",
    "completed_at",
]
ANSWER_COLUMNS = [
    "respondent_id",
    "campaign",
    "question_id",
    "value",
    "text",
    "skipped",
    "flagged",
    "answered_at",
]
QUESTION_COLUMNS = [
    "survey_id",
    "version_hash",
    "question_id",
    "order",
    "domain",
    "type",
    "reverse",
    "mirror",
    "scale",
    "not_sure",
    "favorable",
    "text_en",
    "text_es",
]
TIDY_COLUMNS = [
    "respondent_id",
    "campaign",
    "survey_id",
    "organization",
    "school",
    "grade",
    "role",
    "language",
    "question_id",
    "domain",
    "value",
    "text",
    "skipped",
    "flagged",
    "answered_at",
]


@dataclass
class Responses:
    """The answers of one or several campaigns, with the definitions they were asked under."""

    campaigns: pd.DataFrame
    respondents: pd.DataFrame
    answers: pd.DataFrame
    questions: pd.DataFrame
    surveys: dict[str, Survey] = field(default_factory=dict)

    def subset(self, campaign_codes: Sequence[str]) -> Responses:
        """The same data restricted to some of its campaigns (e.g. the newest wave only)."""
        keep = set(campaign_codes)
        campaigns = self.campaigns[self.campaigns["campaign"].isin(keep)].reset_index(drop=True)
        hashes = set(campaigns["version_hash"])
        return Responses(
            campaigns=campaigns,
            respondents=self.respondents[self.respondents["campaign"].isin(keep)].reset_index(
                drop=True
            ),
            answers=self.answers[self.answers["campaign"].isin(keep)].reset_index(drop=True),
            questions=self.questions[self.questions["version_hash"].isin(hashes)].reset_index(
                drop=True
            ),
            surveys={h: s for h, s in self.surveys.items() if h in hashes},
        )

    def tidy(self) -> pd.DataFrame:
        """One row per answer with its respondent's groups, the shape exports and stats share."""
        camp = self.campaigns[
            ["campaign", "survey_id", "version_hash", "organization", "school", "grade"]
        ]
        resp = self.respondents[["respondent_id", "role", "language"]]
        out = self.answers.merge(resp, on="respondent_id", how="left").merge(
            camp, on="campaign", how="left"
        )
        qs = self.questions[["version_hash", "question_id", "domain"]]
        out = out.merge(qs, on=["version_hash", "question_id"], how="left")
        return out[TIDY_COLUMNS].reset_index(drop=True)


def _question_rows(survey: Survey, version_hash: str) -> list[dict[str, object]]:
    """Keyed by the hash stored with the campaign: that is the pin, whatever re-hashing gives."""
    return [
        {
            "survey_id": survey.id,
            "version_hash": version_hash,
            "question_id": q.id,
            "order": i,
            "domain": q.domain,
            "type": str(q.type),
            "reverse": q.reverse,
            "mirror": q.mirror,
            "scale": q.scale,
            "not_sure": q.not_sure,
            "favorable": tuple(q.favorable),
            "text_en": q.text.get("en"),
            "text_es": q.text.get("es", q.text.get("en")),
        }
        for i, q in enumerate(survey.questions)
    ]


# Plain SQL through the driver's own cursor for the big reads: a million answers go through
# SQLAlchemy's per-row wrapping and per-value processing (datetime parsing above all) several
# times slower than the driver returns them; pandas then converts whole columns at once.
# None of these queries touches `contact`.
_RESPONDENTS_SQL = text(
    "SELECT r.id, r.campaign_id, r.role, r.language, r.status, r.started_at, r.completed_at "
    "FROM respondent r WHERE r.campaign_id IN :campaigns"
).bindparams(bindparam("campaigns", expanding=True, type_=Integer))
_ANSWERS_SQL = text(
    "SELECT a.respondent_id, r.campaign_id, a.question_id, a.value, a.text, a.skipped, "
    "a.flagged, a.answered_at "
    "FROM answer a JOIN respondent r ON r.id = a.respondent_id "
    "WHERE r.campaign_id IN :campaigns"
).bindparams(bindparam("campaigns", expanding=True, type_=Integer))
# The packet never reads when an answer was given: leaving the column out saves a million
# timestamp strings and their parsing, about a quarter of the read.
_UNTIMED = (
    "SELECT a.respondent_id, r.campaign_id, a.question_id, a.value, a.text, a.skipped, "
    "a.flagged "
    "FROM answer a JOIN respondent r ON r.id = a.respondent_id "
    "WHERE r.campaign_id IN :campaigns"
)
_ANSWERS_UNTIMED_SQL = text(_UNTIMED).bindparams(
    bindparam("campaigns", expanding=True, type_=Integer)
)
_TEXT_ANSWERS_SQL = text(_UNTIMED + " AND a.text IS NOT NULL").bindparams(
    bindparam("campaigns", expanding=True, type_=Integer)
)
# Even untimed, most of that read is the driver, numpy and pandas making Python objects of a
# million rows one value at a time. The nine answers in ten without text are read one row
# per respondent instead: the database joins each column into one string (unit separator,
# character 31, between answers; record separator, 30, for no value; two digits per answer
# for skipped and flagged), and Python splits them all at once. Every aggregate of a group
# sees its rows in the same order, so the pieces line up. Only these two databases are
# known to join strings so; no keyboard types those characters, and a value holding one
# anyway sends the read back to one row per answer (`_split_answers`).
_UNIT, _NO_VALUE = "\x1f", "\x1e"
_GROUPED_ANSWERS = {
    # Grouped by the respondent's rowid, which the campaign index holds, SQLite needs no
    # sort: by id, sorting a million answers cost it about half a second more.
    "sqlite": (
        "count(*), count(a.value), group_concat(a.question_id, char(31)), "
        "group_concat(coalesce(a.value, char(30)), char(31)), "
        "group_concat(a.skipped || a.flagged, '')",
        "r.campaign_id, r.rowid",
    ),
    "postgresql": (
        "count(*), count(a.value), string_agg(a.question_id, chr(31) ORDER BY a.id), "
        "string_agg(coalesce(a.value, chr(30)), chr(31) ORDER BY a.id), "
        "string_agg(CAST(CAST(a.skipped AS integer) AS text) "
        "|| CAST(CAST(a.flagged AS integer) AS text), '' ORDER BY a.id)",
        "r.id, r.campaign_id",
    ),
}
_GROUPED_ANSWERS_SQL = {
    dialect: text(
        f"SELECT r.id, r.campaign_id, {aggregates} "
        "FROM respondent r JOIN answer a ON a.respondent_id = r.id "
        f"WHERE r.campaign_id IN :campaigns AND a.text IS NULL GROUP BY {key}"
    ).bindparams(bindparam("campaigns", expanding=True, type_=Integer))
    for dialect, (aggregates, key) in _GROUPED_ANSWERS.items()
}
# With each text, what the bot's analysis loop kept for it, if anything (`analysis.arrivals`):
# the theme summary uses it where it still holds instead of parsing the text again.
_TEXTS_SQL = text(
    "SELECT a.respondent_id, a.question_id, a.text, r.language, a.flagged, x.text_key, x.result "
    "FROM answer a JOIN respondent r ON r.id = a.respondent_id "
    "LEFT JOIN answer_analysis x ON x.answer_id = a.id "
    "WHERE r.campaign_id IN :campaigns AND a.text IS NOT NULL AND a.skipped = :no"
).bindparams(
    bindparam("campaigns", expanding=True, type_=Integer),
    bindparam("no", value=False, type_=Boolean),
)
_COUNT_TEXTS_SQL = text(
    "SELECT count(*) FROM answer a JOIN respondent r ON r.id = a.respondent_id "
    "WHERE r.campaign_id IN :campaigns AND a.text IS NOT NULL AND a.skipped = :no"
).bindparams(
    bindparam("campaigns", expanding=True, type_=Integer),
    bindparam("no", value=False, type_=Boolean),
)
TEXT_COLUMNS = [
    "respondent_id",
    "question_id",
    "text",
    "language",
    "flagged",
    "text_key",
    "result",
]
_ANSWERED_SQL = text(
    "SELECT r.id FROM respondent r WHERE r.campaign_id IN :campaigns "
    "AND EXISTS (SELECT 1 FROM answer a WHERE a.respondent_id = r.id)"
).bindparams(bindparam("campaigns", expanding=True, type_=Integer))


def _rows(session: Session, query: TextClause, pks: list[int]) -> list[tuple[Any, ...]]:
    """Run `query` for campaign primary keys `pks` and return what the driver gives.

    The keys are integers read from the database, so they are rendered into the SQL as
    literals and the statement runs on the driver's cursor with no parameters at all.
    """
    if not pks:
        return []
    connection = session.connection()
    sql = str(
        query.bindparams(campaigns=[int(pk) for pk in pks]).compile(
            dialect=connection.dialect,
            compile_kwargs={"literal_binds": True, "render_postcompile": True},
        )
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _fetch(session: Session, query: TextClause, pks: list[int], columns: list[str]) -> pd.DataFrame:
    """`_rows` as a frame: one object column per name in `columns`."""
    rows = _rows(session, query, pks)
    if not rows:
        return pd.DataFrame({name: np.array([], dtype=object) for name in columns})
    table = np.array(rows, dtype=object)
    return pd.DataFrame({name: table[:, i] for i, name in enumerate(columns)})


def _split_answers(
    rows: list[tuple[Any, ...]], pk_to_code: dict[int, str]
) -> dict[str, np.ndarray] | None:
    """The answer columns from `_GROUPED_ANSWERS_SQL` rows; None if a separator was in a value.

    A value holding character 31 splits into too many pieces, one holding character 30
    counts as an extra missing value: either way the pieces cannot be trusted.
    """
    ids, pks, counts, valued, question_ids, values, flags = zip(*rows, strict=True)
    repeats = np.array(counts, dtype=np.int64)
    total = int(repeats.sum())
    questions = _UNIT.join(question_ids).split(_UNIT)
    joined = _UNIT.join(values)
    missing = total - sum(valued)
    digits = np.frombuffer("".join(f or "" for f in flags).encode("ascii"), dtype=np.uint8)
    if len(questions) != total or joined.count(_NO_VALUE) != missing or len(digits) != 2 * total:
        return None
    bits = (digits - ord("0")).reshape(-1, 2)
    value = np.array(joined.split(_UNIT), dtype=object)
    if len(value) != total or bits.max() > 1:
        return None
    if missing:
        value[value == _NO_VALUE] = None
    return {
        "respondent_id": np.repeat(np.array(ids, dtype=object), repeats),
        "campaign": np.repeat(np.array([pk_to_code[pk] for pk in pks], dtype=object), repeats),
        "question_id": np.array(questions, dtype=object),
        "value": value,
        "text": np.full(total, None, dtype=object),
        "skipped": bits[:, 0] == 1,
        "flagged": bits[:, 1] == 1,
    }


def _grouped_answers(
    session: Session, pk_to_code: dict[int, str], asked: dict[str, dict[str, int]]
) -> pd.DataFrame | None:
    """The untimed answers read mostly one row per respondent; None where that cannot be done.

    The columns are built as the row-by-row read builds them (object arrays, None for no
    value) before pandas sees them, so it gives them the same types.
    """
    query = _GROUPED_ANSWERS_SQL.get(session.connection().dialect.name)
    pks = list(pk_to_code)
    grouped = _rows(session, query, pks) if query is not None else []
    columns = _split_answers(grouped, pk_to_code) if grouped else None
    if columns is None:
        return None
    texts = _rows(session, _TEXT_ANSWERS_SQL, pks)
    if texts:
        table = np.array(texts, dtype=object)
        table[:, 1] = [pk_to_code[pk] for pk in table[:, 1]]
        for i, name in enumerate(ANSWER_COLUMNS[:-1]):
            column = table[:, i].astype(bool) if name in ("skipped", "flagged") else table[:, i]
            columns[name] = np.concatenate([columns[name], column])
    order = _answer_order(
        columns["campaign"], columns["respondent_id"], columns["question_id"], asked
    )
    return pd.DataFrame({name: column[order] for name, column in columns.items()})


def _untimed_answers(
    session: Session, pk_to_code: dict[int, str], asked: dict[str, dict[str, int]]
) -> pd.DataFrame:
    """The answers with `answered_at` left empty (NaT), in the order of `_answer_order`."""
    answers = _grouped_answers(session, pk_to_code, asked)
    if answers is None:
        answers = _fetch(session, _ANSWERS_UNTIMED_SQL, list(pk_to_code), ANSWER_COLUMNS[:-1])
        answers["campaign"] = answers["campaign"].map(pk_to_code)
        answers["skipped"] = answers["skipped"].astype(bool)
        answers["flagged"] = answers["flagged"].astype(bool)
        order = _answer_order(
            answers["campaign"], answers["respondent_id"], answers["question_id"], asked
        )
        answers = answers.take(order).reset_index(drop=True)
    answers["answered_at"] = pd.Series(pd.NaT, index=answers.index, dtype="datetime64[ns, UTC]")
    return answers


def _answer_order(
    campaign: np.ndarray | pd.Series,
    respondent_id: np.ndarray | pd.Series,
    question_id: np.ndarray | pd.Series,
    asked: dict[str, dict[str, int]],
) -> np.ndarray:
    """Campaigns as named, then respondents by id, each one's answers in the survey's order.

    The database hands rows over in whatever order its plan visits them, and the two ways
    of reading untimed answers visit them differently: one order makes the same answers
    give the same frame. `asked` maps each campaign, in the order named, to the position of
    each question in its survey; a question it does not ask (none should) comes after the
    others, by id. A respondent answers a question once, so the order is total.
    """
    respondent, ids = pd.factorize(respondent_id)
    any_row = np.empty(len(ids), dtype=np.int64)
    any_row[respondent] = np.arange(len(respondent))  # a respondent has one campaign
    position = {code: i for i, code in enumerate(asked)}
    campaign_of = np.array([position[c] for c in np.asarray(campaign)[any_row]], dtype=np.int64)
    by_campaign_and_id = sorted(range(len(ids)), key=lambda i: (campaign_of[i], ids[i]))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[by_campaign_and_id] = np.arange(len(ids))
    question, question_ids = pd.factorize(question_id)
    by_id = {q: i for i, q in enumerate(sorted(question_ids))}
    places = np.zeros((max(len(asked), 1), len(question_ids)), dtype=np.int64)
    for i, order in enumerate(asked.values()):
        places[i] = [order.get(q, len(order) + by_id[q]) for q in question_ids]
    return np.lexsort((places[campaign_of[respondent], question], rank[respondent]))


def _timestamps(values: pd.Series) -> pd.Series:
    """UTC timestamps from what the driver gave: ISO text on SQLite, datetimes on PostgreSQL."""
    return pd.to_datetime(values, utc=True, format="ISO8601")


def _campaign_rows(session: Session, codes: list[str]) -> list[Any]:
    """The campaigns named, in the order named; `ValueError` naming any that do not exist."""
    rows = session.execute(
        select(  # type: ignore[call-overload]
            Campaign.id,
            Campaign.code,
            SurveyRecord.survey_id,
            SurveyRecord.version,
            SurveyRecord.version_hash,
            Campaign.organization,
            Campaign.school,
            Campaign.grade,
            Campaign.audience,
            Campaign.default_language,
            Campaign.opens_at,
            Campaign.closes_at,
            Campaign.status,
            Campaign.roster_size,
            Campaign.declined_count,
            Campaign.follow_up,
            SurveyRecord.definition,
        )
        .join(SurveyRecord, SurveyRecord.id == Campaign.survey_pk)
        .where(Campaign.code.in_(codes))  # type: ignore[attr-defined]
    ).all()
    by_code = {row.code: row for row in rows}
    missing = [c for c in codes if c not in by_code]
    if missing:
        raise ValueError(f"unknown campaign code: {', '.join(missing)}")
    return [by_code[c] for c in codes]


def _campaign_frame(ordered: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "campaign": r.code,
                "survey_id": r.survey_id,
                "survey_version": r.version,
                "version_hash": r.version_hash,
                "organization": r.organization,
                "school": r.school,
                "grade": r.grade,
                "audience": r.audience,
                "default_language": r.default_language,
                "opens_at": r.opens_at,
                "closes_at": r.closes_at,
                "status": r.status,
                "roster_size": r.roster_size,
                "declined_count": r.declined_count,
                "follow_up": r.follow_up,
            }
            for r in ordered
        ],
        columns=CAMPAIGN_COLUMNS,
    )


def load_campaigns(session: Session, *, campaign_codes: Sequence[str]) -> pd.DataFrame:
    """Just the `campaigns` frame: cheap, for deciding what to load next."""
    return _campaign_frame(_campaign_rows(session, list(dict.fromkeys(campaign_codes))))


def load_open_texts(session: Session, *, campaign_codes: Sequence[str]) -> pd.DataFrame:
    """The free text of some campaigns (text questions and "other" answers), skips left out.

    Columns respondent_id, question_id, text, language (the respondent's), flagged, and
    text_key and result (what the bot kept for the text, or None): the input of
    `analysis.themes.summarize_themes`. A small read of its own, so the slow theme
    summary can start before the million likert answers are loaded.
    """
    ordered = _campaign_rows(session, list(dict.fromkeys(campaign_codes)))
    texts = _fetch(session, _TEXTS_SQL, [r.id for r in ordered], TEXT_COLUMNS)
    return order_texts(texts)


def count_open_texts(session: Session, *, campaign_codes: Sequence[str]) -> int:
    """How many answers `load_open_texts` would read, blank ones included: a count through
    the index on answers with text, to decide where to read and summarize them."""
    ordered = _campaign_rows(session, list(dict.fromkeys(campaign_codes)))
    return int(_rows(session, _COUNT_TEXTS_SQL, [r.id for r in ordered])[0][0]) if ordered else 0


def order_texts(texts: pd.DataFrame) -> pd.DataFrame:
    """Texts in one canonical order, whichever way they were read, so results never differ."""
    texts = texts[texts["text"].astype(str).str.strip() != ""]
    texts = texts.assign(flagged=texts["flagged"].astype(bool))
    return texts.sort_values(["respondent_id", "question_id"], kind="stable").reset_index(drop=True)


def load_people(session: Session, *, campaign_codes: Sequence[str]) -> Responses:
    """The campaigns and their respondents without the answers (only who gave any).

    Enough for `analysis.scoring.participants` and every group-size decision, at a small
    fraction of the cost of `load_responses`: the packet decides whose comments may be
    quoted, and starts the theme summary, before the million answers are read.
    """
    ordered = _campaign_rows(session, list(dict.fromkeys(campaign_codes)))
    pk_to_code = {row.id: row.code for row in ordered}
    respondents = _fetch(session, _RESPONDENTS_SQL, list(pk_to_code), RESPONDENT_COLUMNS)
    respondents["campaign"] = respondents["campaign"].map(pk_to_code)
    for col in ("started_at", "completed_at"):
        respondents[col] = _timestamps(respondents[col])
    answered = _fetch(session, _ANSWERED_SQL, list(pk_to_code), ["respondent_id"])
    return Responses(
        campaigns=_campaign_frame(ordered),
        respondents=respondents,
        answers=answered,
        questions=pd.DataFrame(columns=QUESTION_COLUMNS),
    )


def load_responses(
    session: Session, *, campaign_codes: Sequence[str], answer_times: bool = True
) -> Responses:
    """Read the campaigns named by `campaign_codes` (in the order given).

    Raises `ValueError` naming any code that does not exist, so a typo on the
    command line becomes a one-line error instead of an empty packet. With
    `answer_times=False` the `answered_at` column is left empty (NaT): the packet does not
    use it, and on a million answers reading and parsing it costs about a second; those
    answers then come in one fixed order (`_answer_order`), however they were read.
    """
    ordered = _campaign_rows(session, list(dict.fromkeys(campaign_codes)))
    pk_to_code = {row.id: row.code for row in ordered}
    campaigns = _campaign_frame(ordered)

    surveys: dict[str, Survey] = {}
    for r in ordered:
        if r.version_hash not in surveys:
            surveys[r.version_hash] = Survey.model_validate_json(r.definition)
    question_rows = [row for h, s in surveys.items() for row in _question_rows(s, h)]
    questions = pd.DataFrame(question_rows, columns=QUESTION_COLUMNS)

    pks = list(pk_to_code)
    respondents = _fetch(session, _RESPONDENTS_SQL, pks, RESPONDENT_COLUMNS)
    respondents["campaign"] = respondents["campaign"].map(pk_to_code)
    for col in ("started_at", "completed_at"):
        respondents[col] = _timestamps(respondents[col])
    if answer_times:
        answers = _fetch(session, _ANSWERS_SQL, pks, ANSWER_COLUMNS)
        answers["answered_at"] = _timestamps(answers["answered_at"])
        answers["campaign"] = answers["campaign"].map(pk_to_code)
        answers["skipped"] = answers["skipped"].astype(bool)
        answers["flagged"] = answers["flagged"].astype(bool)
    else:
        asked = {
            r.code: {q.id: i for i, q in enumerate(surveys[r.version_hash].questions)}
            for r in ordered
        }
        answers = _untimed_answers(session, pk_to_code, asked)

    return Responses(
        campaigns=campaigns,
        respondents=respondents,
        answers=answers,
        questions=questions,
        surveys=surveys,
    )


def previous_campaign_codes(session: Session, *, campaign_codes: Sequence[str]) -> list[str]:
    """For each campaign, the code of the wave before it (same survey, school, grade and audience).

    The packet reports change since the last wave even when only the newest campaign is
    named on the command line. Campaigns already named are not repeated.
    """
    rows = session.execute(
        select(  # type: ignore[call-overload]
            Campaign.code,
            Campaign.school,
            Campaign.grade,
            Campaign.audience,
            Campaign.opens_at,
            SurveyRecord.survey_id,
        ).join(
            SurveyRecord,
            SurveyRecord.id == Campaign.survey_pk,
        )
    ).all()
    named = set(campaign_codes)
    found: list[str] = []
    for code in campaign_codes:
        me = next((r for r in rows if r.code == code), None)
        if me is None:
            continue
        earlier = [
            r
            for r in rows
            if (r.survey_id, r.school, r.grade, r.audience)
            == (me.survey_id, me.school, me.grade, me.audience)
            and r.opens_at < me.opens_at
        ]
        if earlier:
            previous = max(earlier, key=lambda r: r.opens_at).code
            if previous not in named and previous not in found:
                found.append(previous)
    return found
