"""The inbox pages through every message (50 a page) instead of showing the newest 200 only;
the API pages with an offset; the menu's unread badge says "500+" past its bound instead of
a number lower than the truth; a page outside the bounds is refused in words."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from api.pages.inbox_page import MESSAGES_PER_PAGE
from placement.decisions.inbox import UNREAD_CAP
from placement.models import Notification, UserAccount
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import post_form

ROW = re.compile(r'<form method="post" action="/inbox/([0-9a-f-]+)/read"')


async def _messages(app: Any, username: str, n: int) -> None:
    """``n`` unread inbox messages to the user, one a minute (distinct, newest last)."""
    async with owner_sm(app)() as s:
        user = await s.scalar(select(UserAccount).where(col(UserAccount.username) == username))
        assert user is not None
        now = app.state.clock.now()
        s.add_all(
            Notification(
                channel="inbox",
                recipient_key=f"user:{user.id}",
                user_id=user.id,
                case_number=f"BK-T-{i:04d}",  # distinct: no two lines are grouped
                kind="follow_up_overdue",
                created_at=now - timedelta(minutes=n - i),
            )
            for i in range(n)
        )
        await s.commit()


async def test_every_message_is_on_some_page(app: Any, client_for: ClientFactory) -> None:
    total = 4 * MESSAGES_PER_PAGE + 30  # more than the 200 the page used to cut at
    reader = await client_for(Role.socialjour, username="many-notes")
    await _messages(app, "many-notes", total)
    pages = -(-total // MESSAGES_PER_PAGE)
    first = await reader.get("/inbox", params={"lang": "en"})
    assert first.status_code == 200
    assert f"Messages 1–{MESSAGES_PER_PAGE} of {total}" in first.text
    assert f"Page 1 of {pages}" in first.text and 'href="/inbox?page=2"' in first.text
    seen: list[str] = []
    for page in range(1, pages + 1):
        seen += ROW.findall((await reader.get("/inbox", params={"page": str(page)})).text)
    assert len(seen) == total and len(set(seen)) == total
    # Unread only keeps its filter in the page links.
    unread = (await reader.get("/inbox", params={"unread": "1", "lang": "en"})).text
    assert 'href="/inbox?unread=1&amp;page=2"' in unread
    # Marking one read on page 3 comes back to page 3.
    page3 = (await reader.get("/inbox", params={"page": "3"})).text
    one = ROW.findall(page3)[0]
    r = await post_form(reader, "/inbox?page=3", f"/inbox/{one}/read", {"page": "3"})
    assert r.status_code == 303 and r.headers["location"] == "/inbox?page=3&done=read"
    # Beyond the last page: the last; outside the bounds: refused in Swedish, not a 500.
    beyond = await reader.get("/inbox", params={"page": str(pages + 3), "lang": "en"})
    assert beyond.status_code == 200 and f"Page {pages} of {pages}" in beyond.text
    for bad in ("999999999", "9" * 5000, "0", "abc"):
        r = await reader.get("/inbox", params={"page": bad, "lang": "sv"})
        assert r.status_code == 422 and "Kontrollera" in r.text, bad
    # The API pages with an offset: every message once.
    got: list[str] = []
    for offset in range(0, total + 100, 100):
        r = await reader.get("/api/inbox", params={"limit": "100", "offset": str(offset)})
        assert r.status_code == 200
        got += [n["id"] for n in r.json()]
    assert len(got) == total and len(set(got)) == total
    assert (await reader.get("/api/inbox", params={"offset": "-1"})).status_code == 422


async def test_unread_badge_says_more_past_its_bound(app: Any, client_for: ClientFactory) -> None:
    reader = await client_for(Role.socialjour, username="badge-notes")
    await _messages(app, "badge-notes", UNREAD_CAP + 7)
    page = (await reader.get("/inbox", params={"lang": "en"})).text
    assert f"{UNREAD_CAP}+ unread" in page
    assert f"{UNREAD_CAP} unread" not in page.replace(f"{UNREAD_CAP}+ unread", "")
    assert f"of {UNREAD_CAP + 7}" in page  # the page itself counts them all
