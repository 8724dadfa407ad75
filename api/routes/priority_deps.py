"""Dependencies shared by the priority routers: who acts, and each side's read model of an
application just changed (the change itself is audited by the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.deps import ClockDep, KeyringDep, SessionDep, SettingsDep, require
from placement.auth.actor import Actor
from placement.auth.permissions import Permission
from placement.priority.access import Scoped
from placement.priority.dates import local_today
from placement.priority.schemas import AgencyApplicationRead, HandlerApplicationRead
from placement.priority.views import agency_view, handler_view

HandlerActor = Annotated[
    Actor, Depends(require(Permission.priority_read, Permission.priority_write_social))
]
AgencyActor = Annotated[
    Actor, Depends(require(Permission.priority_read, Permission.priority_write_agency))
]
ReaderActor = Annotated[Actor, Depends(require(Permission.priority_read))]


class _Views:
    def __init__(
        self, session: SessionDep, clock: ClockDep, settings: SettingsDep, keyring: KeyringDep
    ) -> None:
        self.session, self.clock, self.settings, self.keyring = session, clock, settings, keyring

    async def agency(self, scoped: Scoped) -> AgencyApplicationRead:
        today = local_today(self.clock, self.settings)
        return await agency_view(self.session, self.keyring, scoped, today)

    async def handler(self, scoped: Scoped) -> HandlerApplicationRead:
        today = local_today(self.clock, self.settings)
        return await handler_view(self.session, self.keyring, scoped, today)


ViewsDep = Annotated[_Views, Depends()]
