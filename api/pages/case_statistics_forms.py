"""The case page's statistics fields and actions (issue 13): how a stay ended and the next
contract's length on the end form, the kind of a child's schooling, and referrals to SHIS
mellanbo (refer; granted or declined)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.deps import ClockDep, SessionDep, SettingsDep
from api.pages.case_forms import text
from api.pages.common import page_require
from api.routing import UnitOfWorkRoute
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.cases import referrals
from placement.errors import N_, InvalidInput
from placement.models.enums import SchoolingKind, StayEnd

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Writer = Annotated[Actor, Depends(page_require(Permission.case_write))]

BAD_MONTHS = N_("Write the contract length as a whole number of months, or leave it empty.")
BAD_CHOICE = N_("Choose one of the options.")


def end_outcome_fields(form: FormData) -> tuple[StayEnd, int | None]:
    raw_end = text(form, "end_stay") or StayEnd.completed.value
    if raw_end not in {s.value for s in StayEnd}:
        raise InvalidInput(BAD_CHOICE, field="stay_end")
    raw = text(form, "end_contract_months")
    months: int | None = None
    if raw:
        if not (raw.isascii() and raw.isdigit()) or int(raw) > 1200:
            raise InvalidInput(BAD_MONTHS, field="contract_months")
        months = int(raw)
    return StayEnd(raw_end), months


def schooling_kind(form: FormData, name: str) -> SchoolingKind | None:
    raw = text(form, name)
    if not raw:
        return None
    if raw not in {k.value for k in SchoolingKind}:
        raise InvalidInput(BAD_CHOICE, field="schooling_kind")
    return SchoolingKind(raw)


@router.post("/cases/{case_id}/mellanbo-referrals")
async def refer(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
) -> Response:
    """Refer the household to SHIS mellanbo."""
    from api.pages.case_page import act  # the case page's one way to run an action

    async def action(_: FormData) -> None:
        await referrals.refer(session, clock, actor, case_id)

    return await act(
        request, session, clock, settings, actor, case_id, action,
        done="referred", fields={}, default="referral", keep=[],
    )  # fmt: skip


@router.post("/cases/{case_id}/mellanbo-referrals/{referral_id}/answer")
async def answer(
    request: Request,
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
) -> Response:
    """Record the answer to a referral: granted or declined."""
    from api.pages.case_page import act

    async def action(form: FormData) -> None:
        value = text(form, "answer")
        if value not in ("granted", "declined"):
            raise InvalidInput(BAD_CHOICE, field="referral")
        await referrals.answer(
            session, clock, actor, case_id, referral_id, granted=value == "granted"
        )

    return await act(
        request, session, clock, settings, actor, case_id, action,
        done="referral_answered", fields={}, default="referral", keep=[],
    )  # fmt: skip
