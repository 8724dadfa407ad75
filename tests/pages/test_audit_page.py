from __future__ import annotations

from placement.models.enums import Role
from tests.conftest import ClientFactory


async def test_audit_page(client_for: ClientFactory) -> None:
    auditor = await client_for(Role.auditor, username="granskare.sida")
    r = await auditor.get("/audit", params={"username": "granskare.sida"})
    assert r.status_code == 200 and "Granskningslogg" in r.text and "granskare.sida" in r.text
    bad = await auditor.get("/audit", params={"case_id": "nope", "since": "igår"})
    assert bad.status_code == 200 and 'id="case_id-error"' in bad.text
    assert 'value="nope"' in bad.text  # what was typed stays
    coordinator = await client_for(Role.coordinator)
    assert (await coordinator.get("/audit")).status_code == 403
