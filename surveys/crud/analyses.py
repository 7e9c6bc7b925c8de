"""Open answers waiting for the text engine, and what it found (`AnswerAnalysis`).

The engine itself lives in `analysis`; storage only says which answers have no analysis
by the current engine `version`, and keeps a result only if its answer still holds the text
it was worked out for, since an answer can be changed (Back) or erased (`/delete`) while
the engine works outside any transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, String, bindparam, text

from surveys.crud.tables import Db, connection_of

# In no particular order: ordered by id, SQLite visits every answer (0.15 s on a million)
# each time the loop looks; unordered, only those with text, through their partial index.
_PENDING = text(
    "SELECT a.id, a.text, r.language FROM answer a "
    "JOIN respondent r ON r.id = a.respondent_id "
    "LEFT JOIN answer_analysis x ON x.answer_id = a.id "
    "WHERE a.text IS NOT NULL "
    "AND (x.answer_id IS NULL OR x.version <> :version OR x.language <> r.language) "
    "LIMIT :limit"
).bindparams(bindparam("version", type_=String), bindparam("limit", type_=Integer))
# INSERT ... SELECT: nothing is stored for an answer erased or changed meanwhile. Both
# SQLite and PostgreSQL read the ON CONFLICT clause; two workers storing the same
# answer's analysis store the same thing.
_STORE = text(
    "INSERT INTO answer_analysis (answer_id, version, language, text_key, result) "
    "SELECT a.id, :version, :language, :text_key, :result FROM answer a "
    "WHERE a.id = :answer_id AND a.text = :text "
    "ON CONFLICT (answer_id) DO UPDATE SET version = excluded.version, "
    "language = excluded.language, text_key = excluded.text_key, result = excluded.result"
)
_FORGET = text(
    "DELETE FROM answer_analysis WHERE answer_id IN "
    "(SELECT id FROM answer WHERE respondent_id = :respondent_id AND question_id = :question_id)"
)


@dataclass(frozen=True)
class PendingText:
    """An open answer with no analysis by the current engine: its text as stored, and the
    language its respondent chose (the engine's hint)."""

    answer_id: int
    text: str
    language: str


@dataclass(frozen=True)
class Analysis:
    answer_id: int
    text: str
    """The text analysed, exactly as `PendingText.text` gave it."""
    language: str
    """The language hint it was analysed with, as `PendingText.language` gave it."""
    text_key: str
    result: str


def texts_to_analyse(db: Db, *, version: str, limit: int) -> list[PendingText]:
    """Up to `limit` open answers without an analysis by `version` with their respondent's
    current language."""
    rows = connection_of(db).execute(_PENDING, {"version": version, "limit": limit})
    return [PendingText(int(i), str(t), str(lang or "")) for i, t, lang in rows]


def store_analyses(db: Db, *, version: str, analyses: Sequence[Analysis]) -> None:
    """Keep each analysis whose answer still holds the text it was worked out for."""
    if analyses:
        connection_of(db).execute(
            _STORE,
            [
                {
                    "answer_id": a.answer_id,
                    "text": a.text,
                    "version": version,
                    "language": a.language,
                    "text_key": a.text_key,
                    "result": a.result,
                }
                for a in analyses
            ],
        )


def forget_analysis(db: Db, *, respondent_id: str, question_id: str) -> None:
    """The answer is about to change: its analysis no longer holds, and will be redone."""
    connection_of(db).execute(_FORGET, {"respondent_id": respondent_id, "question_id": question_id})
