"""Who is acting: passed explicitly to every service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from placement.models.enums import Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: uuid.UUID | None
    username: str
    role: Role
    district_id: uuid.UUID | None = None
    operator_id: uuid.UUID | None = None
    is_team_lead: bool = False
    request_id: str | None = None

    @classmethod
    def system(cls) -> Actor:
        """The scheduler and the CLI act as the system (audited as such)."""
        return cls(user_id=None, username="system", role=Role.admin)
