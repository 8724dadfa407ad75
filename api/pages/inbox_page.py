"""The inbox: reminders to me and to my team (my district), newest first; mark one or all
as read. Lines carry the case number only; the number links to the case page in scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.csrf import check_csrf
from api.deps import ClockDep, SessionDep
from api.labels import N_
from api.pages.case_forms import flash_of, nav_context, start_over, text
from api.pages.common import PageActor
from api.pages.paging import MAX_PAGE, Paging, asked_page
from api.routing import UnitOfWorkRoute
from api.templating import render, translate
from placement.auth.actor import Actor
from placement.cases.search import case_ids_by_number
from placement.decisions import inbox
from placement.decisions.schemas import NotificationRead
from placement.errors import DomainError

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

# Everyone signed in has an inbox (coordinators get IVO reminders, the agency priority news).
InboxReader = PageActor

# The notification texts (placement.decisions.notifications.LABELS), marked for translation.
TEXTS = (
    N_("A decision ends soon and has not been renewed or ended."),
    N_("A decision has run out without renewal (escalated)."),
    N_("A follow-up is overdue."),
    N_("A case handed over by Socialjouren is waiting for the district."),
    N_("An immediate LPSB decision must be submitted to the administrative court."),
    N_("The court-submission deadline of an immediate LPSB decision has passed."),
    N_("A hold on a place has expired; the place is no longer kept."),
    N_("A certificate for a priority application is requested."),
    N_("Papers for the priority committee are due."),
    N_("A unit's IVO permit is about to expire."),
    N_("A priority application was submitted to the housing agency."),
    N_("A certificate was attached to a priority application."),
    N_("A priority decision was appealed to the committee."),
    N_("The priority committee has decided an appeal."),
    N_("A flat was offered to a household with priority."),
    N_("A household answered a flat offer."),
    N_("A lease was signed: end the placement on moving day."),
    N_("A new message on a priority application."),
    N_("A priority application was changed."),
    N_("Something is due."),
)


@dataclass
class InboxRow:
    """Identical messages (one reminder per decision of the adult and of each child) are one
    line; marking it read marks them all."""

    first: NotificationRead
    ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def others(self) -> list[uuid.UUID]:
        return self.ids[1:]


def group(items: list[NotificationRead]) -> list[InboxRow]:
    rows: dict[tuple[object, ...], InboxRow] = {}
    for n in items:
        key = (n.kind, n.case_number, n.label, n.recipient_key, n.read_at is None)
        rows.setdefault(key, InboxRow(n)).ids.append(n.id)
    return list(rows.values())


# Messages a page (the inbox was cut at the newest 200 before; now every one is reachable).
MESSAGES_PER_PAGE = 50


async def _render(
    request: Request,
    session: SessionDep,
    actor: Actor,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    page: int | None = None,
) -> Response:
    unread_only = request.query_params.get("unread") == "1"
    total = await inbox.inbox_size(session, actor, unread_only=unread_only)
    paging = Paging.of(page or asked_page(request), total, MESSAGES_PER_PAGE)
    items = await inbox.list_inbox(
        session, actor, unread_only=unread_only, limit=paging.size, offset=paging.offset
    )
    numbers = {n.case_number for n in items if n.case_number}
    cases = await case_ids_by_number(session, actor, numbers)
    return render(
        request,
        "inbox.html",
        {
            "items": group(items),
            "cases": cases,
            "unread_only": unread_only,
            "paging": paging,
            "notice": flash_of(request),
            "errors": errors or {},
            **await nav_context(session, actor, "inbox"),
        },
        status_code=status_code,
    )


@router.get("/inbox")
async def inbox_page(request: Request, session: SessionDep, actor: InboxReader) -> Response:
    return await _render(request, session, actor)


def _back(form_value: str, page: str = "") -> str:
    """Back to the list the form was on (unread only or all, the same page)."""
    query = "unread=1&" if form_value == "1" else ""
    if page.isdigit() and len(page) <= len(str(MAX_PAGE)) and 1 < int(page) <= MAX_PAGE:
        query += f"page={int(page)}&"
    return "/inbox?" + query


@router.post("/inbox/read-all")
async def read_all(
    request: Request, session: SessionDep, clock: ClockDep, actor: InboxReader
) -> Response:
    await check_csrf(request)
    form = await request.form()
    await inbox.mark_all_read(session, clock, actor)
    return RedirectResponse(_back(text(form, "unread")) + "done=all_read", status_code=303)


@router.post("/inbox/{notification_id}/read")
async def read_one(
    request: Request,
    notification_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    actor: InboxReader,
) -> Response:
    await check_csrf(request)
    form = await request.form()
    also = []
    for value in form.getlist("also"):
        try:
            also.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    try:
        for one in [notification_id, *also]:
            await inbox.mark_read(session, clock, actor, one)
    except DomainError as exc:
        await start_over(session, actor)
        errors = {f"note-{notification_id}": translate(request, exc)}
        page = text(form, "page")
        shown = int(page) if page.isdigit() and len(page) <= len(str(MAX_PAGE)) else None
        return await _render(request, session, actor, errors, exc.status_code, shown)
    return RedirectResponse(
        _back(text(form, "unread"), text(form, "page")) + "done=read", status_code=303
    )
