from typing import Any
from pathlib import Path
from placement.models.enums import Role


async def test_smoke(app: Any, demo: dict[str, int], client_for: Any) -> None:
    c = await client_for(Role.coordinator)
    for path in (
        "/statistics",
        "/statistics/committee",
        "/statistics?start=2026-01-01&end=2026-07-01&district=sodermalm&risk=high&measure=decision_days",
        "/statistics?start=bad",
        "/board",
    ):
        r = await c.get(path)
        assert r.status_code == 200, (path, r.text[-3000:])
        Path("/tmp/i13_" + str(abs(hash(path))) + ".html").write_text(r.text)
    r = await c.get("/api/statistics/goals")
    assert r.status_code == 200
    r = await c.get("/api/statistics/nope")
    assert r.status_code == 404
