"""A form token belongs to one sign-in session: a token and cookie pair lifted from another
user's session (or from before signing in) is refused, and nothing is written."""

from __future__ import annotations

from typing import Any

from placement.models.enums import Role
from tests.conftest import ClientFactory
from tests.decisions.factories import World, make_world
from tests.pages.helpers import CSRF


async def test_a_token_from_another_session_is_refused(app: Any, client_for: ClientFactory) -> None:
    world: World = await make_world(app.state.sessionmaker)
    mine = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    theirs = await client_for(Role.rvt_officer, district_id=world.district_a.id)
    page = await theirs.get("/inbox")
    assert page.status_code == 200
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    lifted = theirs.cookies.get("bk_csrf")
    assert token and lifted
    # Their token with their CSRF cookie, sent from my session: refused.
    mine.cookies.set("bk_csrf", lifted)
    r = await mine.post("/inbox/read-all", data={"csrf_token": token})
    assert r.status_code == 403, r.text
    # My own page's token (and my own cookie) works.
    mine.cookies.delete("bk_csrf")
    own = CSRF.search((await mine.get("/inbox")).text).group(1)  # type: ignore[union-attr]
    r = await mine.post("/inbox/read-all", data={"csrf_token": own})
    assert r.status_code == 303, r.text
