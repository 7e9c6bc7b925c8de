"""Staff roles and what each may do: the one table every permission check reads.

Roles combine on one person ("facilitator,safeguarding-lead"). Checks are always
made on the server, per update, against the stored roles: the chat's command
menu only mirrors this table, it grants nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from surveys.errors import ChorusError


class StaffRole(StrEnum):
    OWNER = "owner"  # manages staff
    ORGANIZER = "organizer"  # launches and closes campaigns, and all a facilitator does
    FACILITATOR = "facilitator"  # live counts, reports and exports
    SAFEGUARDING_LEAD = "safeguarding-lead"  # receives and handles alerts


class Permission(StrEnum):
    MANAGE_STAFF = "manage_staff"  # /invite, /staff
    LAUNCH = "launch"  # /launch
    CLOSE = "close"  # /close
    SHARE = "share"  # /share: results sent back to respondents
    VIEW_CAMPAIGNS = "view_campaigns"  # /campaigns
    REPORT = "report"  # /report
    EXPORT = "export"  # /export
    HANDLE_ALERTS = "handle_alerts"  # /alerts and the alert buttons


GRANTS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.OWNER: frozenset({Permission.MANAGE_STAFF, Permission.VIEW_CAMPAIGNS}),
    StaffRole.ORGANIZER: frozenset(
        {
            Permission.LAUNCH,
            Permission.CLOSE,
            Permission.SHARE,
            Permission.VIEW_CAMPAIGNS,
            Permission.REPORT,
            Permission.EXPORT,
        }
    ),
    StaffRole.FACILITATOR: frozenset(
        {Permission.VIEW_CAMPAIGNS, Permission.REPORT, Permission.EXPORT}
    ),
    StaffRole.SAFEGUARDING_LEAD: frozenset({Permission.HANDLE_ALERTS}),
}


class RoleError(ChorusError, ValueError):
    """A role name that is not one of `StaffRole`."""


def parse_roles(text: str) -> frozenset[StaffRole]:
    """Roles from "organizer,facilitator" (or the stored column); unknown names refused."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise RoleError(f"no role given; use one or more of: {', '.join(StaffRole)}")
    roles = set()
    for name in names:
        try:
            roles.add(StaffRole(name))
        except ValueError:
            raise RoleError(
                f"unknown role {name!r}; use one or more of: {', '.join(StaffRole)}"
            ) from None
    return frozenset(roles)


def format_roles(roles: Iterable[StaffRole]) -> str:
    """The stored form: sorted in the enum's order, comma-separated."""
    chosen = set(roles)
    return ",".join(role.value for role in StaffRole if role in chosen)


def permissions(roles: Iterable[StaffRole]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= GRANTS[role]
    return frozenset(granted)


def may(roles: Iterable[StaffRole], permission: Permission) -> bool:
    return permission in permissions(roles)
