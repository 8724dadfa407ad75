"""Browser tests: the app served by uvicorn on 127.0.0.1 (embedded PostgreSQL, demo city),
driven by Playwright in a real headless Chromium (Debian's package; see scripts/test).
Every page visited is saved as a screenshot under test-artifacts/screenshots/."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from api.main import create_app
from placement.auth.scope import system_scope
from placement.clock import SystemClock
from placement.config import Settings
from placement.crypto import Keyring
from placement.db import make_engine, make_sessionmaker, transaction
from placement.demo.seed import DEMO_PASSWORD, seed_demo
from tests.conftest import TEMPLATE_DB, PgServer
from tests.net import free_port

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    explicit = os.environ.get("BK_CHROMIUM")
    if explicit:
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class LiveApp:
    base_url: str
    db_url: str
    totp_secrets: dict[str, str] = field(default_factory=dict)
    last_step: dict[str, int] = field(default_factory=dict)

    def fresh_code(self, username: str) -> str:
        """A code the server will accept: a time step (within +-1 of now) never used before,
        since a code is never accepted twice. Waits only when both candidates are used."""
        while True:
            step = int(time.time() // 30) + 1
            if step > self.last_step.get(username, -1):
                self.last_step[username] = step
                return str(pyotp.TOTP(self.totp_secrets[username]).at(step * 30))
            time.sleep(1)


def _seed(db_url: str, settings: Settings) -> None:
    async def run() -> None:
        engine = make_engine(db_url, app_role=settings.app_db_role)
        async with transaction(make_sessionmaker(engine)) as s:
            await system_scope(s)
            await seed_demo(
                s, SystemClock(), Keyring.parse(settings.encryption_keys), settings=settings
            )
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="module")
def live(pg: PgServer) -> Iterator[LiveApp]:
    name = f"b_{uuid.uuid4().hex[:12]}"
    pg.psql(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}";')
    db_url = pg.url(name)
    settings = Settings(environment="test", cookie_secure=False, scheduler_enabled=False)
    with ThreadPoolExecutor(1) as pool:  # its own event loop, errors propagate
        pool.submit(_seed, db_url, settings).result()
    app = create_app(settings, database_url=db_url, run_scheduler=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield LiveApp(base_url=f"http://127.0.0.1:{port}", db_url=db_url)
    server.should_exit = True
    thread.join(timeout=10)
    pg.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROME_ARGS)
        yield b
        b.close()


class Actions:
    """Counts what a person does: clicks, selections, submissions; typing a field is one."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.count = 0
        self.name = name
        self.shots: list[Path] = []

    def type(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self.count += 1

    def select(self, selector: str, value: str | list[str]) -> None:
        self.page.select_option(selector, value)
        self.count += 1

    def check(self, selector: str) -> None:
        self.page.check(selector)
        self.count += 1

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.count += 1

    def shot(self, label: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{self.name}-{len(self.shots) + 1:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        return path


def axe_check(page: Page) -> list[dict[str, Any]]:
    """Serious or critical WCAG 2.1 A/AA violations on the current page."""
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        },
    )
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


def sign_in(actions: Actions, live: LiveApp, username: str) -> None:
    """Sign in as a demo user; enrols TOTP on first use (not counted) and then types the code."""
    page = actions.page
    page.goto(f"{live.base_url}/login")
    if username not in live.totp_secrets:
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        if page.url.endswith("/login/enrol"):
            secret = page.inner_text("#totp-secret").strip()
            live.totp_secrets[username] = secret
            live.last_step[username] = int(time.time() // 30)
            page.fill("#code", pyotp.TOTP(secret).now())
            page.click("button[type=submit]")
        page.context.clear_cookies()
        page.goto(f"{live.base_url}/login")
    if page.input_value("#username") != username:  # the device remembers the last user
        actions.type("#username", username)
    actions.type("#password", DEMO_PASSWORD)
    if username in live.totp_secrets:
        actions.type("#code", live.fresh_code(username))
    actions.click("button[type=submit]")
