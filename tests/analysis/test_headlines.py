"""Headline findings for the results sent back: the packet's numbers and its small-group rule."""

from __future__ import annotations

from sqlmodel import Session

from analysis.headlines import campaign_findings, results_message, sentences
from surveys.i18n import t
from tests.sharing_seed import FOLLOW_UP, Person, closed_campaign, crowd


def test_how_many_answered_the_strongest_area_and_the_weakest(session: Session) -> None:
    campaign = closed_campaign(session, crowd(8))
    findings = campaign_findings(session, campaign=campaign, min_n=3)
    assert [(f.kind, f.domain) for f in findings] == [
        ("answered", ""),
        ("highest", "belonging"),
        ("lowest", "consistency"),
    ]
    assert findings[0].count == 8
    assert findings[1].pct == 75.0  # 6 of 8 chose 4 or 5
    assert findings[2].pct == 0.0  # nobody said "often"


def test_nothing_below_the_minimum_group_size(session: Session) -> None:
    campaign = closed_campaign(session, crowd(4))
    assert campaign_findings(session, campaign=campaign, min_n=5) == []


def test_only_completed_surveys_count(session: Session) -> None:
    from surveys.models import RespondentStatus

    people = [*crowd(2), Person(9, status=RespondentStatus.IN_PROGRESS)]
    campaign = closed_campaign(session, people)
    assert campaign_findings(session, campaign=campaign, min_n=3) == []


def test_the_message_in_spanish_with_follow_up_and_delete(session: Session) -> None:
    campaign = closed_campaign(session, crowd(8))
    findings = campaign_findings(session, campaign=campaign, min_n=3)
    message = results_message(findings, campaign=campaign, language="es@formal")
    assert "8 personas contestaron." in message
    assert "Pertenencia: 75\u00a0%" in message  # Spanish puts a no-break space before %
    assert FOLLOW_UP["es"] in message
    assert message.endswith(t("reach.results.delete", "es@formal"))
    assert sentences(findings, "en")[1].startswith("Belonging: 75%")
