"""Survey definitions: the typed form of a survey YAML file.

A `Survey` is self-contained once loaded: the response scales it uses are
copied in from the shared scale library, so the JSON stored with a campaign
is exactly what that campaign asks, whatever happens to the files later.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

LIKERT_POINTS = 5
ID_PATTERN = r"^[a-z][a-z0-9_]{0,15}$"
"""Question and option ids are short so they fit in Telegram's 64-byte callback data."""

Localized = dict[str, str]
"""Text per language code, e.g. ``{"en": "...", "es": "..."}``."""


class QuestionType(StrEnum):
    LIKERT = "likert"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"
    NUMBER = "number"
    YES_NO = "yes_no"


CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    """One answer option of a choice question."""

    id: str = Field(pattern=ID_PATTERN)
    label: Localized
    not_sure: bool = False
    """A "Not sure" style option, left out of percent-favorable denominators."""


class Question(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    type: QuestionType
    domain: str
    text: Localized
    required: bool = False
    show_if: str | None = None
    # likert
    scale: str | None = None
    reverse: bool = False
    not_sure: bool = False
    """Likert only: offer a "Not sure" button, stored as the value ``not_sure``."""
    # single_choice / multi_choice
    options: tuple[Option, ...] = ()
    other: bool = False
    """multi_choice only: add an "Other" option whose free text is asked next."""
    # number
    # Infinite or NaN bounds would be silently dropped by the comparisons: refused instead.
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    integer: bool = True
    # text
    max_length: int = Field(default=1000, ge=1, le=4000)
    # analysis
    mirror: str | None = None
    """A key shared by comparable items in the student and caregiver surveys."""
    favorable: tuple[str, ...] = ()
    """Choice questions that should count toward percent favorable: the favorable option ids."""

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class Survey(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9\-]{0,39}$")
    version: str
    title: Localized
    audience: Literal["student", "caregiver", "any"]
    languages: tuple[str, ...]
    intro: Localized
    consent: Localized
    thanks: Localized
    scales: dict[str, dict[str, tuple[str, ...]]] = Field(default_factory=dict)
    """Scale name -> language -> the five labels, lowest first."""
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def index(self, question_id: str) -> int:
        for i, q in enumerate(self.questions):
            if q.id == question_id:
                return i
        raise KeyError(question_id)

    def scale_labels(self, question: Question, language: str) -> tuple[str, ...]:
        """The five likert labels of `question` in `language`, lowest first."""
        if question.scale is None:
            raise ValueError(f"question {question.id} has no scale")
        return self.scales[question.scale][language]

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)

    @property
    def version_hash(self) -> str:
        """Identifies this exact content, so a campaign can pin what it asks.

        Computed each time rather than cached: a `cached_property` lands in the
        instance ``__dict__``, which `model_copy(update=...)` copies along, so a
        changed copy would carry the old hash.
        """
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:16]
