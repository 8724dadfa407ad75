"""Paging for the pages' lists: the page asked for in ``?page=``, bounded; a value outside
the bounds is refused in words (422), never a server error; a page beyond the last shows
the last (as /due and /board do)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from fastapi import Request

from api.labels import N_
from placement.errors import InvalidInput

MAX_PAGE = 10_000
CHECK_VALUE = N_("Check this value.")


def asked_page(request: Request) -> int:
    """``?page=`` as a number from 1 to ``MAX_PAGE`` (1 when absent)."""
    raw = request.query_params.get("page", "").strip()
    if not raw:
        return 1
    # Length first: int() of a very long digit string is itself refused (a 500 otherwise).
    if len(raw) > len(str(MAX_PAGE)) or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidInput(CHECK_VALUE, field="page")
    return int(raw)


@dataclass(frozen=True, slots=True)
class Paging:
    page: int  # 1-based, within 1..pages
    pages: int
    total: int
    size: int

    @classmethod
    def of(cls, asked: int, total: int, size: int) -> Paging:
        pages = max(1, math.ceil(total / size))
        return cls(min(asked, pages), pages, total, size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        """The first row shown, counting from 1 (0 when there is none)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.page * self.size, self.total)
