"""Every page route, as every demo role, in Swedish and English, at phone and desktop width.

The routes are read from the app (every GET route of a module in ``api.pages`` except the
sign-in flow), never from a hand list, so a new page is crawled the day it is added. Path
parameters are filled from the demo city (an open case of Södermalm, its placement request,
an active hold, a priority application), and each page is also asked for with an id that does
not exist, which must answer an HTML page, not JSON.

For each page a role may see (it answers 200):
- no horizontal overflow at 390 px and 1366 px (the document's scrollWidth is at most the
  viewport's width);
- axe finds nothing serious or critical (once per page and language, at 1366 px);
- a Swedish page has no English words. The heuristic: the visible text is split into words
  and compared with a list of common English words that are not also Swedish (``ENGLISH``);
  names of units, people and places are Swedish and pass. A snake_case code (``listed``,
  ``priority_application``) shown raw also counts as a leak.

A page a role may not see must answer an HTML page (403/404), never JSON; those error pages
come with the HTML error pages of issue 15 (another branch), so that one assertion is marked
as an expected failure (not strict) here until they are merged, as are the English words of
the pages in ``ELSEWHERE`` (made right by that branch).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.routing import APIRoute
from playwright.sync_api import Browser, Page, Response

from api.main import create_app
from placement.config import Settings
from placement.db import make_engine
from tests.browser.conftest import Actions, LiveApp, axe_check, sign_in

pytestmark = pytest.mark.browser

USERS = (
    "socialjour",
    "rvt.sodermalm",
    "rvt.sodermalm.lead",
    "formedling",
    "samordnare",
    "jour.ankaret",
    "granskare",
    "admin",
)
WIDTHS = (390, 1366)
SIGN_IN_PATHS = ("/", "/login")  # the sign-in flow is tested in test_sign_in.py
# Common English words that are not Swedish words ("in", "man", "all", "just" are left out).
ENGLISH = frozenset(
    """the and of with is are this that these those from has have had you your
    cannot will there which should would could been was were for not what when who
    how why into onto than then them they their our out about after before because
    please choose shown show hide hidden yes none any each every some other more
    less only also still here where while until nothing something day days
    week weeks hour hours minute minutes place places unit units case cases
    decision decisions household households child children adult adults request
    requests free held occupied blocked stale open closed done due overdue renew
    move end ended save cancel back next previous search filter sign""".split()  # noqa: SIM905
)
# Pages another branch of issue 15 makes right: their findings are reported as an expected
# failure (not strict) until that branch is merged, then they count like every other page.
ELSEWHERE: dict[str, str] = {}
# Fragments that pages poll with htmx (no <html>, no title of their own): checked as part of
# the page that includes them (/operator, /night/holds/...), never as pages.
FRAGMENTS = {"/operator/referrals", "/night/holds/{group_id}/live", "/night/children"}
# Files to download, not pages (a browser starts a download): their filters, scope and
# content are tested through HTTP (tests/pages/test_audit_page.py).
DOWNLOADS = {"/audit/export.csv"}
WORD = re.compile(r"[A-Za-zÅÄÖåäöéü_]+")


def _walk(routes: list[object]) -> Iterator[object]:
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _walk(inner.routes)
        else:
            yield route


def page_routes() -> list[str]:
    """Every GET page route of the app (api.pages), sign-in flow left out."""
    app = create_app(
        Settings(environment="test", scheduler_enabled=False),
        database_url="postgresql+asyncpg://nobody@/none",
        run_scheduler=False,
    )
    out = []
    for route in _walk(list(app.routes)):
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        if not route.endpoint.__module__.startswith("api.pages."):
            continue
        if route.path in SIGN_IN_PATHS or route.path.startswith("/login"):
            continue
        if route.path in FRAGMENTS or route.path in DOWNLOADS:
            continue
        out.append(route.path)
    return sorted(set(out))


def _demo_ids(db_url: str) -> dict[str, str]:
    queries = {
        "case_id": """SELECT c.id FROM "case" c JOIN district d ON d.id = c.responsible_district_id
            JOIN decision x ON x.case_id = c.id
            WHERE d.code = 'sodermalm' AND c.status = 'open' ORDER BY c.opened_at LIMIT 1""",
        "request_id": """SELECT r.id FROM placement_request r JOIN "case" c ON c.id = r.case_id
            JOIN district d ON d.id = c.responsible_district_id
            WHERE d.code = 'sodermalm' ORDER BY r.requested_at DESC LIMIT 1""",
        "group_id": """SELECT group_id FROM booking WHERE kind = 'hold' ORDER BY created_at DESC
            LIMIT 1""",
        "application_id": """SELECT id FROM priority_application WHERE status <> 'draft'
            ORDER BY created_at LIMIT 1""",
    }

    async def run() -> dict[str, str]:
        from sqlalchemy import text

        engine = make_engine(db_url)
        found: dict[str, str] = {}
        async with engine.connect() as conn:
            for name, sql in queries.items():
                value = (await conn.execute(text(sql))).scalar()
                # Nothing of that kind in the demo: an id that does not exist (a 404 page).
                found[name] = str(value or uuid.uuid4())
        await engine.dispose()
        return found

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(run())).result()


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), path)


def english_in(text: str) -> list[str]:
    """The English words (and raw snake_case codes) in a Swedish page's text."""
    words = WORD.findall(text)
    return sorted({w for w in words if w.lower() in ENGLISH or ("_" in w and w.strip("_") == w)})


def english_words(page: Page) -> list[str]:
    return english_in(page.inner_text("body"))


def test_the_word_heuristic() -> None:
    assert english_in("Ärendet finns inte. Barn 1 bor på Kvinnojouren Ankaret.") == []
    assert english_in("Beslutet gäller till 3 dec. Just nu: alla platser i Farsta.") == []
    found = english_in("The case does not exist or is not yours to see.")
    assert found == ["The", "case", "is", "not"]
    assert english_in("Händelse: priority_application") == ["priority_application"]


def overflow(page: Page) -> dict[int, int]:
    wide: dict[int, int] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll = int(page.evaluate("document.documentElement.scrollWidth"))
        if scroll > width:
            wide[width] = scroll
    return wide


# Boxes that scroll sideways at 390 px: the document fits, but a table hides its columns.
SIDEWAYS_JS = """() => [...document.querySelectorAll('body *')].filter(e => {
  const x = getComputedStyle(e).overflowX;
  return (x === 'auto' || x === 'scroll') && e.scrollWidth > e.clientWidth + 1
    && e.offsetParent !== null;
}).map(e => [e.tagName.toLowerCase(), ...String(e.className).split(' ')].join('.'))"""


def sideways(page: Page) -> list[str]:
    """Boxes narrower than their content at 390 px."""
    page.set_viewport_size({"width": 390, "height": 900})
    return list(page.evaluate(SIDEWAYS_JS))


MIN_TAP = 44  # px, at 390 px wide (WCAG 2.5.5)
INTERACTIVE = "a, button, input, select, textarea, summary, [role=button]"
# The only exceptions, by design: links inside running text (a paragraph, a hint, a list
# item's sentence, a table cell's text) are text, not targets; the skip link is off screen
# until focused; hidden inputs and the visually-hidden search label are not drawn.
TAP_EXCEPTIONS_JS = """
(els) => els.filter(e => {
  const r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || e.type === 'hidden') return false;
  const s = getComputedStyle(e);
  if (s.visibility === 'hidden' || s.display === 'none') return false;
  if (e.classList.contains('skip')) return false;
  if (e.type === 'checkbox' || e.type === 'radio') {
    const label = e.closest('label');
    return !label || label.getBoundingClientRect().height < MIN_TAP;
  }
  if (e.tagName === 'A' && e.closest('p, .hint, dd, blockquote') && !e.closest('nav')
      && s.display === 'inline') return false;
  return r.height < MIN_TAP;
}).map(e => (e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' +
  (e.innerText || e.value || e.name || '').trim().slice(0, 30) + '" ' +
  Math.round(e.getBoundingClientRect().height) + 'px'))
""".replace("MIN_TAP", str(MIN_TAP))


def small_targets(page: Page) -> list[str]:
    """Visible interactive elements lower than 44 px at 390 px wide (exceptions above)."""
    page.set_viewport_size({"width": 390, "height": 900})
    return list(page.locator(INTERACTIVE).evaluate_all(TAP_EXCEPTIONS_JS))


def is_html(response: Response | None) -> bool:
    return response is not None and "text/html" in (response.headers.get("content-type") or "")


@pytest.fixture(scope="module")
def ids(live: LiveApp) -> dict[str, str]:
    return _demo_ids(live.db_url)


ROUTES = page_routes()


def test_the_crawl_finds_the_pages() -> None:
    assert {"/desk", "/cases/{case_id}", "/board", "/priority/{application_id}"} <= set(ROUTES)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("user", USERS)
def test_every_page_as_every_role(
    browser: Browser, live: LiveApp, ids: dict[str, str], user: str, lang: str
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    actions = Actions(page, f"crawl-{user}-{lang}")
    sign_in(actions, live, user)
    page.goto(f"{live.base_url}/?lang={lang}")
    seen: list[str] = []
    problems: list[str] = []
    later: list[str] = []  # on pages of ELSEWHERE
    not_html: list[str] = []
    for route in ROUTES:
        path = fill(route, ids)
        page.set_viewport_size({"width": 1366, "height": 900})
        response = page.goto(f"{live.base_url}{path}")
        status = response.status if response is not None else 0
        if status != 200:
            if not is_html(response):
                not_html.append(f"{path} ({status})")
            continue
        seen.append(route)
        wide = overflow(page)
        if wide:
            problems.append(f"{path}: wider than the viewport {wide}")
        inner = sideways(page)
        if inner:
            problems.append(f"{path}: scrolls sideways inside {inner[:4]} at 390 px")
        small = small_targets(page)
        if small:
            problems.append(f"{path}: tap targets under {MIN_TAP} px at 390 px {small[:8]}")
        page.set_viewport_size({"width": 1366, "height": 900})
        serious = axe_check(page)
        if serious:
            problems.append(f"{path}: axe {[v['id'] for v in serious]}")
        if lang == "sv":
            leaked = english_words(page)
            if leaked:
                found = f"{path}: English words {leaked[:12]}"
                (later if route in ELSEWHERE else problems).append(found)
        if "{" in route:  # the same page for an id that does not exist: an HTML page
            missing = page.goto(f"{live.base_url}{fill(route, {})}")
            if not is_html(missing):
                not_html.append(f"{fill(route, {})} ({missing.status if missing else 0})")
    page.close()
    assert seen, f"{user} sees no page at all"
    if user.startswith("rvt."):
        assert {"/desk", "/due", "/cases/{case_id}"} <= set(seen)
    assert problems == []
    if later:
        pytest.xfail(f"{sorted(set(ELSEWHERE.values()))}: {later}")
    assert not_html == [], f"error pages that are not HTML: {not_html}"


PRINTED = (
    ("rvt.sodermalm", "/cases/{case_id}"),
    ("rvt.sodermalm", "/night/done/{case_id}"),
    ("formedling", "/priority/{application_id}"),
)


@pytest.mark.parametrize(("user", "route"), PRINTED)
def test_print_view(
    browser: Browser, live: LiveApp, ids: dict[str, str], user: str, route: str
) -> None:
    """On paper: the content, without the header, navigation, forms or buttons."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    actions = Actions(page, f"print-{user}")
    sign_in(actions, live, user)
    response = page.goto(f"{live.base_url}{fill(route, ids)}")
    if response is None or response.status != 200:
        page.close()
        pytest.skip(f"{route} has nothing to show for the demo's {user} ({response})")
    page.emulate_media(media="print")
    assert page.locator("h1").is_visible()
    assert not page.locator("header.top").is_visible()
    visible = page.locator("form, button, nav").evaluate_all(
        "els => els.filter(e => e.offsetParent !== null).length"
    )
    assert visible == 0
    actions.shot("printed")
    page.close()
