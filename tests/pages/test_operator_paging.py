"""/operator pages an operator's units (20 a page) instead of cutting the list at 1 000: page
links, the whole count, a warning that counts every page, changes that come back to the
unit's own page, and a page number outside the bounds refused in words."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from api.pages.operator_page import UNITS_PER_PAGE
from placement.models import Operator, Place, Unit
from placement.models.enums import PlaceKind, Role
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import post_form

EXTRA = 45


async def _many_units(app: Any) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """Föreningen Ankaret with ``EXTRA`` more units (a place each); all its unit ids in the
    order the page lists them (name, then id)."""
    async with owner_sm(app)() as s:
        op = await s.scalar(select(Operator).where(col(Operator.name) == "Föreningen Ankaret"))
        assert op is not None
        model = await s.scalar(select(Unit).where(col(Unit.operator_id) == op.id))
        assert model is not None
        fields = model.model_dump(exclude={"id", "name", "created_at", "updated_at"})
        for n in range(EXTRA):
            unit = Unit(**{**fields, "name": f"Ankaret filial {n:02d}"})
            s.add(unit)
            await s.flush()
            s.add(Place(unit_id=unit.id, label="P1", kind=PlaceKind.place, capacity=1))
        await s.commit()
        ids = (
            await s.execute(
                select(Unit.id)
                .where(col(Unit.operator_id) == op.id, col(Unit.retired_at).is_(None))
                .order_by(col(Unit.name), col(Unit.id))
            )
        ).scalars()
        return op.id, list(ids)


async def test_units_are_paged_not_cut(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    op_id, ids = await _many_units(app)
    total = len(ids)
    pages = -(-total // UNITS_PER_PAGE)
    assert pages >= 3
    operator = await client_for(Role.operator, operator_id=op_id)
    first = await operator.get("/operator", params={"lang": "en"})
    assert first.status_code == 200
    shown = re.findall(r'<section class="card unit[^"]*" id="unit-([0-9a-f-]+)"', first.text)
    assert shown == [str(i) for i in ids[:UNITS_PER_PAGE]]
    assert f"Units 1–{UNITS_PER_PAGE} of {total}" in first.text
    assert f"Page 1 of {pages}" in first.text and 'href="/operator?page=2"' in first.text
    # Every unit is on some page, once.
    seen: list[str] = []
    for page in range(1, pages + 1):
        text = (await operator.get("/operator", params={"page": str(page)})).text
        seen += re.findall(r'<section class="card unit[^"]*" id="unit-([0-9a-f-]+)"', text)
    assert seen == [str(i) for i in ids]
    last = (await operator.get("/operator", params={"page": str(pages)})).text
    assert f"Units {(pages - 1) * UNITS_PER_PAGE + 1}–{total} of {total}" in last
    assert 'rel="next"' not in last and f'href="/operator?page={pages - 1}"' in last
    # Beyond the last page: the last page; outside the bounds: refused in Swedish, not a 500.
    beyond = await operator.get("/operator", params={"page": str(pages + 7)})
    assert beyond.status_code == 200 and f"Page {pages} of {pages}" in beyond.text
    for bad in ("999999999", "9" * 5000, "0", "-1", "abc", "2.5"):
        r = await operator.get("/operator", params={"page": bad, "lang": "sv"})
        assert r.status_code == 422, bad
        assert "Kontrollera" in r.text


async def test_warning_counts_every_page_and_changes_return_to_the_unit(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    op_id, ids = await _many_units(app)
    async with owner_sm(app)() as s:  # all confirmed now except two units on the last page
        for unit_id in ids:
            unit = await s.get(Unit, unit_id)
            assert unit is not None
            stale = unit_id in ids[-2:]
            hours = app.state.settings.vacancy_stale_hours + 5 if stale else 1
            unit.vacancy_confirmed_at = app.state.clock.now() - timedelta(hours=hours)
        await s.commit()
    operator = await client_for(Role.operator, operator_id=op_id)
    first = (await operator.get("/operator", params={"lang": "en"})).text
    assert "2 units have not been confirmed" in first  # both are on the last page
    # A report for a unit on page 3 comes back to page 3, at the unit.
    target = ids[2 * UNITS_PER_PAGE]
    r = await post_form(
        operator, "/operator", f"/operator/units/{target}/report", {"free_places": "0"}
    )
    assert r.status_code == 303
    assert r.headers["location"].startswith("/operator?page=3&done=")
    assert r.headers["location"].endswith(f"#unit-{target}")
    # A refused report shows the unit's page with the message (not page 1 without it).
    r = await post_form(
        operator, "/operator", f"/operator/units/{target}/report", {"free_places": "två"}
    )
    assert r.status_code == 422 and f'id="free_places-{target}-error"' in r.text
