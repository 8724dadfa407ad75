"""The coordinator's board through HTTP: units by district, filters, the joint plan and
move-on runs, accepting one proposal (a hold), and a refusal shown next to the button."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from sqlmodel import col, select

from placement.demo.seed import STREETS
from placement.matching.planner_view import PLANNER_REASONS
from placement.models import Booking, Operator, OptimizationRun, Place, Unit
from placement.models.enums import BookingKind, BookingStatus, PlaceKind, Role, UnitKind
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import post_form


async def _coordinator(client_for: ClientFactory) -> httpx.AsyncClient:
    c = await client_for(Role.coordinator)
    assert (await c.get("/board", params={"lang": "en"})).status_code == 200
    return c


async def test_access(app: Any, demo: dict[str, int], client_for: ClientFactory) -> None:
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get("/board")).status_code == 200
    async with owner_sm(app)() as s:
        op = await s.scalar(select(Operator).where(col(Operator.name) == "Föreningen Ankaret"))
    operator = await client_for(Role.operator, operator_id=op.id)
    assert (await operator.get("/board")).status_code == 403
    auditor = await client_for(Role.auditor)
    assert (await auditor.get("/board")).status_code == 403
    anon = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    r = await anon.get("/board")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/board"
    r = await anon.post("/board/joint-plan")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    await anon.aclose()


async def test_units_by_district_with_stale(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    coordinator = await _coordinator(client_for)
    async with owner_sm(app)() as s:
        units = list((await s.execute(select(Unit))).scalars())
        stale = next(u for u in units if u.name == "Kvinnojouren Ankaret")
        stale.vacancy_confirmed_at = app.state.clock.now() - timedelta(hours=26)
        fresh = next(u for u in units if u.name == "Kriscentrum Lyktan")
        fresh.vacancy_confirmed_at = app.state.clock.now() - timedelta(minutes=12)
        await s.commit()
    page = (await coordinator.get("/board", params={"sort": "name"})).text
    assert not any(street in page for street in STREETS)  # never a shelter address
    assert page.count('<th scope="row">') == min(50, len(units))  # a page of 50
    assert f"Units 1–50 of {len(units)}" in page
    farsta = (await coordinator.get("/board", params={"area": f"d:{stale.district_id}"})).text
    row = re.search(
        r'<tr class="stale">\s*<th scope="row">Kvinnojouren Ankaret.*?</tr>', farsta, re.S
    )
    assert row and "Not up to date" in row.group(0) and "26 hours ago" in row.group(0)
    lyktan_page = (await coordinator.get("/board", params={"area": f"d:{fresh.district_id}"})).text
    lyktan = re.search(r'<tr>\s*<th scope="row">Kriscentrum Lyktan.*?</tr>', lyktan_page, re.S)
    assert lyktan and "12 minutes ago" in lyktan.group(0)
    # Filter by kind (GET): only that kind.
    shis = (await coordinator.get("/board", params={"kind": "shis_interim"})).text
    n_shis = sum(1 for u in units if u.kind == UnitKind.shis_interim)
    assert shis.count('<th scope="row">') == min(n_shis, 50) > 0
    assert "Kriscentrum Lyktan" not in shis
    # Only stale units.
    only = (await coordinator.get("/board", params={"stale": "1"})).text
    assert "Kvinnojouren Ankaret" in only and "Kriscentrum Lyktan" not in only
    # An unknown kind: the message next to the filter, the whole board shown.
    bad = await coordinator.get("/board", params={"kind": "castle"})
    assert bad.status_code == 200 and 'id="kind-error"' in bad.text


def _card(page: str, anchor: str) -> str:
    """The HTML of one proposal card."""
    start = page.index(f'<li class="card proposal" id="{anchor}">')
    ends = [
        i
        for i in (page.find('<li class="card proposal"', start + 1), page.find("</ol>", start))
        if i > 0
    ]
    return page[start : min(ends)]


async def _holds(app: Any, **where: Any) -> list[Booking]:
    async with owner_sm(app)() as s:
        stmt = select(Booking).where(
            col(Booking.kind) == BookingKind.hold, col(Booking.status) == BookingStatus.active
        )
        for name, value in where.items():
            stmt = stmt.where(getattr(Booking, name) == value)
        return list((await s.execute(stmt)).scalars())


async def test_joint_plan_and_accept(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    coordinator = await _coordinator(client_for)
    r = await post_form(coordinator, "/board", "/board/joint-plan", {"kind": "protected_shelter"})
    assert r.status_code == 303
    location = r.headers["location"]
    query = parse_qs(urlparse(location).query)
    run_id = uuid.UUID(query["joint"][0])
    assert query["kind"] == ["protected_shelter"] and query["done"] == ["planned"]
    async with owner_sm(app)() as s:
        run = await s.get(OptimizationRun, run_id)
        assert run is not None and run.mode == "joint"
        numbers = run.inputs["case_numbers"]
    page = (await coordinator.get(location)).text
    assert "The joint plan is ready" in page
    assert "The plan" in page and "Gap to the best possible" not in page
    accept = re.findall(rf'action="/board/joint/{run_id}/accept/([0-9a-f-]+)"', page)
    assert accept, "the demo city's plan places at least one request"
    request_id = accept[0]
    assert f"Case {numbers[request_id]}" in page
    # Reasons in the page's language.
    chosen = next(a for a in run.proposals["assignments"] if a["request_id"] == request_id)
    # What the matcher weighed about the household stays with those who read the case.
    personal = [r for r in chosen["reasons"] if r["code"] not in PLANNER_REASONS]
    assert personal and all(html.escape(r["text_en"]) not in page for r in personal)
    hint = "You see the plan, not the cases"
    assert hint in page and "Du ser planen, inte ärendena" not in page
    sv = (await coordinator.get(location.split("#")[0] + "&lang=sv")).text
    assert "Du ser planen, inte ärendena" in sv and hint not in sv
    assert all(html.escape(r["text_sv"]) not in sv for r in personal)
    await coordinator.get("/board", params={"lang": "en"})

    r = await post_form(
        coordinator,
        location,
        f"/board/joint/{run_id}/accept/{request_id}",
        {"kind": "protected_shelter"},
    )
    assert r.status_code == 303 and "done=accepted" in r.headers["location"]
    assert f"joint={run_id}" in r.headers["location"]
    held = await _holds(app, request_id=uuid.UUID(request_id))
    assert held, "accepting holds the places"
    page = (await coordinator.get(r.headers["location"])).text
    assert "The places are held for the household" in page
    card = _card(page, f"a-{request_id}")
    assert "Held" in card and "/accept/" not in card

    # Accepting again: refused, and the reason is shown next to that proposal.
    r = await post_form(coordinator, location, f"/board/joint/{run_id}/accept/{request_id}", {})
    assert r.status_code == 409
    assert f'id="accept-{request_id}-error"' in r.text
    assert "no longer waiting for a place" in r.text
    assert len(await _holds(app, request_id=uuid.UUID(request_id))) == len(held)


async def test_move_on_and_accept(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    coordinator = await _coordinator(client_for)
    r = await post_form(coordinator, "/board", "/board/move-on", {})
    assert r.status_code == 303
    location = r.headers["location"]
    run_id = uuid.UUID(parse_qs(urlparse(location).query)["moveon"][0])
    page = (await coordinator.get(location)).text
    assert "The move-on proposals are ready" in page and "The plan" in page
    accept = re.findall(rf'action="/board/move-on/{run_id}/accept/([0-9a-f-]+)"', page)
    assert accept, "the demo city has a household ready to move on"
    case_id = uuid.UUID(accept[0])
    async with owner_sm(app)() as s:
        run = await s.get(OptimizationRun, run_id)
        assert run is not None and run.mode == "move_on"
        move = next(m for m in run.proposals["moves"] if m["request_id"] == str(case_id))
    r = await post_form(coordinator, location, f"/board/move-on/{run_id}/accept/{case_id}", {})
    assert r.status_code == 303 and "done=accepted" in r.headers["location"]
    held = await _holds(app, case_id=case_id)
    assert held and {str(b.unit_id) for b in held} == {move["to_unit_id"]}
    assert all(b.expires_at is not None for b in held)
    page = (await coordinator.get(r.headers["location"])).text
    card = _card(page, f"m-{case_id}")
    assert "The places are held until" in card and "/accept/" not in card
    # A case that is not in the run: refused next to nothing, the board still shown.
    stranger = uuid.uuid4()
    r = await post_form(coordinator, location, f"/board/move-on/{run_id}/accept/{stranger}", {})
    assert r.status_code == 409 and "Move on from protected shelters" in r.text


async def _block_every_place(app: Any, unit_id: uuid.UUID) -> None:
    """Someone blocks every place of the unit after the plan was made."""
    now = app.state.clock.now()
    async with owner_sm(app)() as s:
        places = (await s.execute(select(Place).where(col(Place.unit_id) == unit_id))).scalars()
        for place in places:
            s.add(
                Booking(
                    place_id=place.id,
                    unit_id=unit_id,
                    kind=BookingKind.block,
                    starts_at=now - timedelta(hours=1),
                    ends_at=now + timedelta(days=3),
                    block_reason="Vattenskada",
                )
            )
        await s.commit()


async def test_a_proposal_taken_since_the_plan_is_shown_and_replanned(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    coordinator = await _coordinator(client_for)
    r = await post_form(coordinator, "/board", "/board/joint-plan", {})
    location = r.headers["location"]
    run_id = uuid.UUID(parse_qs(urlparse(location).query)["joint"][0])
    async with owner_sm(app)() as s:
        run = await s.get(OptimizationRun, run_id)
        assert run is not None
        chosen = next(a for a in run.proposals["assignments"] if a.get("unit_id"))
    request_id = chosen["request_id"]
    page = (await coordinator.get(location)).text
    assert "Taken since" not in _card(page, f"a-{request_id}")
    assert "Optimal" not in page and " ms)" not in page  # no solver words
    await _block_every_place(app, uuid.UUID(chosen["unit_id"]))

    page = (await coordinator.get(location)).text
    card = _card(page, f"a-{request_id}")
    assert "Taken since" in card and "/accept/" not in card
    assert 'action="/board/joint-plan"' in card  # a fresh proposal is one click away

    # Accepting anyway (an old tab): not an error page but a fresh plan, with the reason.
    r = await post_form(coordinator, location, f"/board/joint/{run_id}/accept/{request_id}", {})
    assert r.status_code == 303 and "done=replanned" in r.headers["location"]
    fresh = uuid.UUID(parse_qs(urlparse(r.headers["location"]).query)["joint"][0])
    assert fresh != run_id
    assert not await _holds(app, request_id=uuid.UUID(request_id))
    page = (await coordinator.get(r.headers["location"])).text
    assert "Those places were taken after the plan was made" in page
    async with owner_sm(app)() as s:
        again = await s.get(OptimizationRun, fresh)
        assert again is not None
        units = {a.get("unit_id") for a in again.proposals["assignments"]}
    assert chosen["unit_id"] not in units  # the fresh plan does not offer the blocked unit
    sv = (await coordinator.get(r.headers["location"].split("#")[0] + "&lang=sv")).text
    assert "Bästa möjliga plan hittad" in sv or "En bra plan" in sv


async def test_two_plans_wanting_the_same_last_places_are_flagged(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    from placement.matching.still_free import Verdict, Wanted, judge

    async with owner_sm(app)() as s:
        unit = next(
            u for u in (await s.execute(select(Unit))).scalars() if u.name == "Kvinnojouren Ankaret"
        )
        now = app.state.clock.now()
        from placement.inventory.capacity import capacity_by_unit, free_now_window

        start, end = free_now_window(now)
        free = (await capacity_by_unit(s, [unit.id], start, end, now))[unit.id].free_places
        assert free >= 1
        one = Wanted(unit.id, "places", free)
        assert await judge(s, now, [one]) == [Verdict.free]
        assert await judge(s, now, [one, Wanted(unit.id, "places", 1)]) == [
            Verdict.shared,
            Verdict.shared,
        ]
        assert await judge(s, now, [Wanted(unit.id, "places", free + 1)]) == [Verdict.taken]


async def test_a_national_inventory_is_counted_whole_and_paged(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    """More than 1,000 units (the old silent cap): the totals count every unit, in SQL, and
    the pages reach the last unit; filters and sorting hold; a page out of bounds is 422."""
    from placement.models import District

    coordinator = await _coordinator(client_for)
    now = app.state.clock.now()
    async with owner_sm(app)() as s:
        base = (await s.execute(select(Unit).order_by(col(Unit.name)).limit(1))).scalar_one()
        district = await s.get(District, base.district_id)
        made = []
        for i in range(1_100):
            u = Unit(
                name=f"Massenhet {i:04d}",
                kind=UnitKind.shis_interim if i % 2 else UnitKind.hostel,
                district_id=base.district_id,
                operator_id=base.operator_id,
                sharing_policy=base.sharing_policy,
                substance_policy=base.substance_policy,
                accepted_genders=["female"],
                languages=["sv"],
                protection_level=1,
                vacancy_confirmed_at=None if i % 3 else now,
            )
            s.add(u)
            made.append(u.id)
        await s.flush()
        s.add_all(Place(unit_id=uid, label="1", kind=PlaceKind.place, capacity=1) for uid in made)
        await s.commit()
        total_units = len(
            (await s.execute(select(Unit.id).where(col(Unit.retired_at).is_(None)))).all()
        )
        free_single = len(
            (
                await s.execute(
                    select(Place.id)
                    .join(Unit, col(Unit.id) == col(Place.unit_id))
                    .where(
                        col(Place.retired_at).is_(None),
                        col(Unit.retired_at).is_(None),
                        col(Place.kind) == PlaceKind.place,
                    )
                )
            ).all()
        )
    assert total_units > 1_000
    page = (await coordinator.get("/board", params={"sort": "name"})).text
    units_dd = re.search(r"<dt>Units</dt><dd>(\d+)</dd>", page)
    assert units_dd and int(units_dd.group(1)) == total_units
    free_dd = re.search(r"<dt>Free places</dt><dd>(\d+)</dd>", page)
    # Every new place is free; the demo's own are free unless booked for tonight.
    assert free_dd and 1_100 <= int(free_dd.group(1)) <= free_single
    pages = -(-total_units // 50)
    assert f"Page 1 of {pages}" in page
    last = (await coordinator.get("/board", params={"sort": "name", "page": str(pages)})).text
    names = re.findall(r'<th scope="row">([^<]+)<span', last)
    assert 0 < len(names) <= 50
    async with owner_sm(app)() as s:
        last_name = (
            await s.execute(
                select(Unit.name)
                .where(col(Unit.retired_at).is_(None))
                .order_by(col(Unit.name).desc(), col(Unit.id).desc())
                .limit(1)
            )
        ).scalar_one()
    assert names[-1] == html.escape(last_name)
    # Beyond the last page: the last page; far beyond any inventory: refused in words.
    again = await coordinator.get("/board", params={"sort": "name", "page": str(pages + 5)})
    assert again.status_code == 200 and f"Page {pages} of {pages}" in again.text
    huge = await coordinator.get("/board", params={"page": "999999999"})
    assert huge.status_code == 422
    bad_sort = await coordinator.get("/board", params={"sort": "'; drop"})
    assert bad_sort.status_code == 422
    # Filters: the district and municipality, the kind, only free, stale.
    area = await coordinator.get("/board", params={"area": f"m:{district.municipality}"})
    assert area.status_code == 200
    shis = (await coordinator.get("/board", params={"kind": "shis_interim", "free": "1"})).text
    n = re.search(r"<dt>Units</dt><dd>(\d+)</dd>", shis)
    assert n and int(n.group(1)) >= 550
    stale = (await coordinator.get("/board", params={"stale": "1", "sort": "confirmed"})).text
    n_stale = re.search(r"<dt>Units</dt><dd>(\d+)</dd>", stale)
    assert n_stale and int(n_stale.group(1)) >= 733
    assert "Never confirmed" in stale
    # The refusal in Swedish (the language sticks: last).
    sv = await coordinator.get("/board", params={"page": "999999999", "lang": "sv"})
    assert sv.status_code == 422 and "Kontrollera" in sv.text
