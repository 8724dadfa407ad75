"""The menu of each role: the pages its permissions open, with counts where they help
(what is due today or overdue, unread messages). One place decides what a role is offered;
the pages' own permission checks are the same sets (tests/pages/test_navigation.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from placement.auth.actor import Actor
from placement.auth.permissions import Permission, has_permission
from placement.clock import Clock
from placement.config import Settings
from placement.decisions.due import DueRow, due_rows
from placement.decisions.inbox import UNREAD_CAP, unread_count
from placement.models.enums import ReminderKind, Role
from placement.priority.dates import local_start, local_today

P = Permission


@dataclass(frozen=True, slots=True)
class MenuEntry:
    key: str
    path: str
    needs: tuple[Permission, ...]


ENTRIES: tuple[MenuEntry, ...] = (
    MenuEntry("night", "/night", (P.case_write, P.match, P.hold_manage, P.decide)),
    MenuEntry("desk", "/desk", (P.case_read, P.due_read)),
    MenuEntry("due", "/due", (P.case_read, P.due_read)),
    MenuEntry("inbox", "/inbox", ()),
    MenuEntry("board", "/board", (P.inventory_read, P.plan_review)),
    MenuEntry("statistics", "/statistics", (P.statistics_read,)),
    MenuEntry("priority", "/priority", (P.priority_read, P.priority_write_agency)),
    MenuEntry("operator", "/operator", (P.vacancy_report,)),
    MenuEntry("audit", "/audit", (P.audit_read,)),
    MenuEntry("admin", "/admin", (P.users_manage,)),
)
# Roles that never receive messages (nothing is due to them): no inbox in their menu.
NO_INBOX = frozenset({Role.auditor, Role.admin})


@dataclass(frozen=True, slots=True)
class MenuItem:
    key: str
    path: str
    count: int | None = None  # shown as a badge when set and above zero
    cap: int | None = None  # a count above it is shown as "cap+" (it was counted no further)

    @property
    def shown(self) -> str:
        if self.count is not None and self.cap is not None and self.count > self.cap:
            return f"{self.cap}+"
        return str(self.count)


def entries_for(role: Role) -> list[MenuEntry]:
    out = []
    for entry in ENTRIES:
        if entry.key == "inbox" and role in NO_INBOX:
            continue
        if all(has_permission(role, p) for p in entry.needs):
            out.append(entry)
    return out


def count_deadlines(rows: list[DueRow]) -> int:
    """One per deadline and case, as the due list shows it: a hand-over by itself, the other
    kinds by (kind, case, due time, escalation)."""
    keys = {
        (r.subject_id,)
        if r.kind == ReminderKind.handover_due
        else (r.kind, r.case_id, r.due_at, r.escalated)
        for r in rows
    }
    return len(keys)


async def due_today_count(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor
) -> int:
    """What is overdue or due before midnight (Stockholm), one per deadline and case, as the
    due list shows it. A count only, from columns (no Case or Person objects): no case is
    shown, so nothing is audited here."""
    now = clock.now()
    midnight = local_start(local_today(clock, settings) + timedelta(days=1), settings)
    return count_deadlines(await due_rows(session, clock, actor, within=midnight - now))


async def menu_for(
    session: AsyncSession, clock: Clock, settings: Settings, actor: Actor
) -> list[MenuItem]:
    items = []
    for entry in entries_for(actor.role):
        count: int | None = None
        cap: int | None = None
        if entry.key == "due":
            count = await due_today_count(session, clock, settings, actor)
        elif entry.key == "inbox":
            count, cap = await unread_count(session, actor), UNREAD_CAP
        items.append(MenuItem(entry.key, entry.path, count, cap))
    return items
