"""The states of a campaign and of a respondent, shared by the engine and storage.

They live apart from the tables so the pure engine can name them without
importing anything that touches a database; `surveys.models` re-exports them.
"""

from __future__ import annotations

from enum import StrEnum


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RespondentStatus(StrEnum):
    LANGUAGE = "language"  # choosing a language before consent
    CONSENT = "consent"  # shown the consent text, not yet agreed
    ROLE = "role"  # campaign for "any" audience: asked whether student or caregiver
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
