"""Locust users for the national load test (run by benchmarks/bench_load.py, which writes the
plan this file reads from ``BK_LOAD_PLAN``).

A realistic mix of signed-in staff, each on an account of its own (a TOTP code is used once
per account and time step): RVT officers reading their desk, due list and cases; Socialjouren
asking for proposals, holding the best one and releasing it; operators reading their units
and confirming vacancy; the coordinator on the board, the inventory and (when the route
exists) the statistics. Every user signs in through the real sign-in (password, then TOTP).

Each simulated user sends its own ``X-Forwarded-For`` address: the app is started with
``BK_TRUSTED_PROXIES=127.0.0.1/32``, as a deployment behind a reverse proxy on the same host
is, so the per-address sign-in limits apply to each simulated client as to real ones.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any, ClassVar

import pyotp
from locust import HttpUser, between, task

PLAN: dict[str, Any] = json.loads(open(os.environ["BK_LOAD_PLAN"]).read())  # noqa: SIM115
PASSWORD: str = PLAN["password"]
# Think time between a user's actions (seconds): staff read a desk or a case before the next.
THINK = PLAN.get("think", [5.0, 15.0])
_addresses = itertools.count(1)


class Staff(HttpUser):
    abstract = True
    wait_time = between(THINK[0], THINK[1])
    pool: ClassVar[str] = ""
    _next: ClassVar[itertools.count[int]]

    def on_start(self) -> None:
        n = next(_addresses)
        self.client.headers["X-Forwarded-For"] = f"10.77.{n // 250}.{n % 250 + 1}"
        self.client.headers["Accept-Language"] = "sv"
        # A new connection per request: the server drops idle keep-alive connections after
        # 5 s, shorter than the think time, and a request racing that close fails with a
        # reset that says nothing about the app.
        self.client.headers["Connection"] = "close"
        accounts = PLAN["accounts"][self.pool]
        self.account: dict[str, Any] = accounts[next(type(self)._next) % len(accounts)]
        self.rng = random.Random(n)
        r = self.client.post(
            "/api/auth/login",
            json={"username": self.account["username"], "password": PASSWORD},
            name="sign-in: password",
        )
        if r.status_code == 200 and r.json().get("second_factor") == "verify":
            code = pyotp.TOTP(self.account["totp"]).now()
            self.client.post("/api/auth/totp/verify", json={"code": code}, name="sign-in: TOTP")


class Officer(Staff):
    weight = 45
    pool = "rvt_officer"
    _next = itertools.count()

    @task(3)
    def desk(self) -> None:
        self.client.get("/desk", name="GET /desk")

    @task(1)
    def due(self) -> None:
        self.client.get("/due", name="GET /due")

    @task(3)
    def case(self) -> None:
        cases = self.account["cases"]
        if cases:
            self.client.get(f"/cases/{self.rng.choice(cases)}", name="GET /cases/[id]")

    @task(1)
    def inbox(self) -> None:
        self.client.get("/inbox", name="GET /inbox")


class Night(Staff):
    weight = 25
    pool = "socialjour"
    _next = itertools.count()

    @task(1)
    def night(self) -> None:
        self.client.get("/night", name="GET /night")

    @task(3)
    def propose_hold_release(self) -> None:
        requests = self.account["requests"]
        if not requests:
            return
        request_id = self.rng.choice(requests)
        r = self.client.post(
            f"/api/matching/requests/{request_id}/proposals",
            json={},
            name="POST proposals",
        )
        if r.status_code != 200:
            return
        proposals = r.json()["result"]["proposals"]
        if not proposals or self.rng.random() < 0.5:
            return
        with self.client.post(
            f"/api/matching/requests/{request_id}/hold",
            json={"unit_id": proposals[0]["unit_id"]},
            name="POST hold",
            catch_response=True,
        ) as h:
            if h.status_code == 409:
                # Another officer held the last place first (the same proposals reach
                # several users at once): the product's right answer, not an error.
                h.success()
        if h.status_code == 201:
            self.client.delete(
                f"/api/inventory/holds/{h.json()['group_id']}", name="DELETE hold (release)"
            )


class Operator(Staff):
    weight = 20
    pool = "operator"
    _next = itertools.count()

    @task(2)
    def page(self) -> None:
        self.client.get("/operator", name="GET /operator")

    @task(2)
    def report(self) -> None:
        r = self.client.get("/api/inventory/my-units?limit=50", name="GET my-units")
        if r.status_code != 200 or not r.json()["items"]:
            return
        unit = self.rng.choice(r.json()["items"])
        self.client.post(
            f"/api/inventory/units/{unit['id']}/vacancy-reports",
            json={
                "free_places": unit["free_places_now"],
                "free_family_rooms": len(unit["free_family_rooms_now"]),
            },
            name="POST vacancy report",
        )


class Coordinator(Staff):
    weight = 10
    pool = "coordinator"
    _next = itertools.count()
    statistics: bool | None = None

    @task(3)
    def board(self) -> None:
        self.client.get("/board", name="GET /board")

    @task(1)
    def availability(self) -> None:
        self.client.post(
            "/api/inventory/availability", json={"nights": 7}, name="POST availability"
        )

    @task(1)
    def stats(self) -> None:
        if self.statistics is False:
            return
        with self.client.get("/statistics", name="GET /statistics", catch_response=True) as r:
            if r.status_code == 404:  # not built yet: leave it out of the figures
                self.statistics = False
                r.success()
