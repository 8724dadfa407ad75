"""Bulk import and export: validated first, every bad row reported, all or nothing."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlmodel import col, func, select

from placement.clock import FrozenClock
from placement.models import AuditEntry, Operator, Place, Unit
from placement.models.enums import AuditAction, Role
from tests.conftest import owner_sm
from tests.inventory.factories import make_unit, make_world

ClientFor = Any
HEADER = (
    "name,kind,operator,operator_kind,district,sharing_policy,protection_level,"
    "accepted_genders,substance_policy,languages,accepts_children,max_children,single_places,"
    "family_rooms\n"
)


async def counts(sm: Any) -> tuple[int, int, int]:
    async with sm() as s:
        units = await s.scalar(select(func.count()).select_from(Unit))
        places = await s.scalar(
            select(func.count()).select_from(Place).where(col(Place.retired_at).is_(None))
        )
        ops = await s.scalar(select(func.count()).select_from(Operator))
        return int(units or 0), int(places or 0), int(ops or 0)


async def post_csv(client: Any, text: str, **params: Any) -> Any:
    return await client.post(
        "/api/inventory/import",
        content=text.encode(),
        params=params,
        headers={"content-type": "text/csv"},
    )


async def test_csv_import_creates_units_places_and_operators(
    client_for: ClientFor, sessionmaker: Any
) -> None:
    await make_world(sessionmaker)
    coord = await client_for(Role.coordinator)
    text = HEADER + (
        "Ny jour,protected_shelter,Nya jouren,civil_society,farsta,open,3,female,no_active_use,"
        "sv|ar,true,3,2,4|3\n"
        "Jourlgh 1,on_call_flat,Stockholms stad,,sodermalm,own_district,1,female|male,"
        "active_use_accepted,,false,0,1,\n"
    )
    before = await counts(sessionmaker)
    r = await post_csv(coord, text, dry_run="true")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "dry_run": True,
        "operators_created": 1,
        "units_created": 2,
        "units_updated": 0,
        "places_added": 5,
        "places_retired": 0,
    }
    assert await counts(sessionmaker) == before
    r = await post_csv(coord, text)
    assert r.status_code == 200 and r.json()["units_created"] == 2
    units, places, ops = await counts(sessionmaker)
    assert (units, places, ops) == (before[0] + 2, before[1] + 5, before[2] + 1)
    page = (await coord.get("/api/inventory/units?q=Ny jour")).json()
    unit = page["items"][0]
    assert unit["family_rooms"] == [4, 3] and unit["languages"] == ["sv", "ar"]
    assert unit["places"] == 2 and unit["operator_name"] == "Nya jouren"


async def test_bad_rows_all_reported_with_line_numbers_nothing_saved(
    client_for: ClientFor, sessionmaker: Any
) -> None:
    await make_world(sessionmaker)
    coord = await client_for(Role.coordinator)
    good = (
        "Bra,protected_shelter,Stockholms stad,,farsta,open,3,female,no_active_use,sv,false,0,2,\n"
    )
    text = (
        HEADER
        + good
        + (
            "Slott,castle,Stockholms stad,,farsta,open,3,female,no_active_use,sv,false,0,1,\n"
            "Minus,hostel,Stockholms stad,,farsta,open,1,female,no_active_use,sv,false,0,-2,\n"
            "Borta,hostel,Stockholms stad,,atlantis,open,1,female,no_active_use,sv,false,0,1,\n"
            "Okänd,hostel,Okänt AB,,farsta,open,1,female,no_active_use,sv,false,0,1,\n"
            "Ålder,hostel,Stockholms stad,,farsta,open,1,female,no_active_use,sv,false,2,1,\n"
        )
        + good
    )
    before = await counts(sessionmaker)
    r = await post_csv(coord, text)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["detail"].startswith("Nothing was imported: 5 problem(s)")
    got = [(e["line"], e["field"]) for e in body["errors"]]
    assert got == [
        (3, "kind"),
        (4, "single_places"),
        (5, "district"),
        (6, "operator"),
        (7, "max_children"),
    ]
    assert "atlantis" in body["errors"][2]["message"]
    assert await counts(sessionmaker) == before

    r = await post_csv(coord, "name,kind,address\nA,hostel,Gatan 1\n")
    assert r.status_code == 422
    messages = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert "Addresses are entered on the unit" in messages["address"]
    assert "operator" in messages and all(e["line"] == 1 for e in r.json()["errors"])


async def test_export_then_reimport_is_a_no_op_and_never_has_addresses(
    client_for: ClientFor, sessionmaker: Any, app: Any
) -> None:
    world = await make_world(sessionmaker)
    await make_unit(
        sessionmaker,
        world,
        name="Lyktan",
        singles=3,
        rooms=(4, 4),
        address_ciphertext="k1:SENTINEL-CIPHERTEXT",
    )
    await make_unit(
        sessionmaker,
        world,
        name="Flat",
        kind="on_call_flat",
        singles=1,
        district_id=world.farsta,
        owner_district_id=world.farsta,
    )
    coord = await client_for(Role.coordinator)
    r = await coord.get("/api/inventory/export?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "SENTINEL" not in r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert "address" not in rows[0] and "address_ciphertext" not in rows[0]
    lyktan = next(x for x in rows if x["name"] == "Lyktan")
    assert lyktan["single_places"] == "3" and lyktan["family_rooms"] == "4|4"
    assert lyktan["district"] == "sodermalm" and lyktan["accepted_genders"] == "female"
    before = await counts(sessionmaker)
    r2 = await post_csv(coord, r.text)
    assert r2.status_code == 200, r2.text
    assert r2.json()["units_updated"] == 2 and r2.json()["units_created"] == 0
    assert r2.json()["places_added"] == 0 and r2.json()["places_retired"] == 0
    assert await counts(sessionmaker) == before

    r = await coord.get("/api/inventory/export")
    data = r.json()
    assert {o["name"] for o in data["operators"]} >= {"Stockholms stad"}
    assert "SENTINEL" not in r.text and "address_ciphertext" not in r.text
    # Edit in JSON: one single place fewer, one family room bigger.
    for u in data["units"]:
        if u["name"] == "Lyktan":
            u["single_places"] = 2
            u["family_rooms"] = [5, 4]
    r = await coord.post("/api/inventory/import", json=data)
    assert r.status_code == 200, r.text
    assert r.json()["places_added"] == 1 and r.json()["places_retired"] == 2
    detail = (await coord.get("/api/inventory/units?q=Lyktan")).json()["items"][0]
    assert detail["places"] == 2 and detail["family_rooms"] == [5, 4]
    async with owner_sm(app)() as s:
        exports = (
            (
                await s.execute(
                    select(AuditEntry).where(col(AuditEntry.action) == AuditAction.export)
                )
            )
            .scalars()
            .all()
        )
    assert len(exports) == 2


async def test_json_import_errors_and_booked_places(
    client_for: ClientFor, sessionmaker: Any, clock: FrozenClock
) -> None:
    world = await make_world(sessionmaker)
    uid = await make_unit(sessionmaker, world, name="Full", singles=1)
    rvt = await client_for(Role.rvt_officer, district_id=world.sodermalm)
    assert (
        await rvt.post("/api/inventory/holds", json={"unit_id": str(uid), "nights": 3})
    ).status_code == 201
    coord = await client_for(Role.coordinator)
    data = (await coord.get("/api/inventory/export")).json()
    data["units"][0]["single_places"] = 0  # the only place is held: cannot go
    data["units"].append({"name": "X", "kind": "hostel"})
    data["units"].append(dict(data["units"][0]))  # the same unit twice
    r = await coord.post("/api/inventory/import", json=data)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert (1, "single_places") in [(e["line"], e["field"]) for e in errors]
    assert any(e["line"] == 2 and e["field"] == "operator" for e in errors)
    assert any(e["line"] == 3 and e["field"] == "id" for e in errors)
    r = await coord.post(
        "/api/inventory/import", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and "Not valid JSON" in r.json()["errors"][0]["message"]
    r = await coord.post(
        "/api/inventory/import",
        content=json.dumps([1]).encode(),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422


async def test_import_export_permissions(client_for: ClientFor, sessionmaker: Any) -> None:
    world = await make_world(sessionmaker)
    for client in (
        await client_for(Role.rvt_officer, district_id=world.sodermalm),
        await client_for(Role.operator, operator_id=world.city),
    ):
        assert (await client.get("/api/inventory/export")).status_code == 403
        assert (await post_csv(client, HEADER)).status_code == 403
