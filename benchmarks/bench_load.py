"""Load test on the national dataset (issue 16: 100 users for 2 minutes, p95 < 300 ms, 0 errors).

Generates (or reuses) the national dataset in ``--data-dir``, starts the real server
(``boendekedjan serve``, scheduler included) on 127.0.0.1 against it, runs Locust headless and
bounded (``benchmarks/load/locustfile.py``), then prints throughput, p50/p95/p99 per request
kind and the error count, and stops the server.

The sign-in limits stay on. The server trusts ``X-Forwarded-For`` from 127.0.0.1 only
(``BK_TRUSTED_PROXIES``, the setting a deployment behind a local reverse proxy uses) and each
simulated user sends its own address, so each is limited as one real client would be.

    python -m benchmarks.bench_load                       # 100 users, 2 minutes
    python -m benchmarks.bench_load --users 20 --time 30s # a short run
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks.national_data import NATIONAL_PASSWORD, asyncpg_dsn, prepare_database, totp_secret

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "benchmarks" / "load" / "locustfile.py"
TARGET_P95_MS = 300.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def make_plan(url: str, seed: int) -> dict[str, Any]:
    """Accounts per kind of user, each with what it works on (its own, disjoint)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("SELECT set_config('bk.role', 'system', false)")
        officers = await conn.fetch(
            'SELECT u.username, (SELECT array_agg(c.id) FROM (SELECT id FROM "case" c '
            "WHERE c.responsible_district_id = u.district_id AND c.status = 'open' "
            "ORDER BY c.opened_at DESC LIMIT 30) c) AS cases "
            "FROM user_account u WHERE u.role = 'rvt_officer' AND u.district_id IN ("
            "SELECT responsible_district_id FROM \"case\" WHERE status = 'open' "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 60) ORDER BY u.username"
        )
        night = [
            r["username"]
            for r in await conn.fetch(
                "SELECT username FROM user_account WHERE role = 'socialjour' ORDER BY username"
            )
        ]
        requests = [
            str(r["id"])
            for r in await conn.fetch(
                "SELECT id FROM placement_request WHERE status = 'open' ORDER BY requested_at, id"
            )
        ]
        operators = await conn.fetch(
            "SELECT u.username FROM user_account u JOIN unit un ON un.operator_id = u.operator_id "
            "WHERE u.role = 'operator' GROUP BY u.username ORDER BY count(*) DESC, u.username"
        )
        coordinators = await conn.fetch(
            "SELECT username FROM user_account WHERE role = 'coordinator' ORDER BY username"
        )
    finally:
        await conn.close()

    def account(username: str, **extra: Any) -> dict[str, Any]:
        return {"username": username, "totp": totp_secret(seed, username), **extra}

    return {
        "password": NATIONAL_PASSWORD,
        "accounts": {
            "rvt_officer": [
                account(r["username"], cases=[str(c) for c in r["cases"] or []]) for r in officers
            ],
            # Each night account works on its own requests: two never hold one request.
            "socialjour": [
                account(name, requests=requests[i :: len(night)]) for i, name in enumerate(night)
            ],
            "operator": [account(r["username"]) for r in operators],
            "coordinator": [account(r["username"]) for r in coordinators],
        },
    }


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped while starting (see its log)")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def report(stats_csv: Path, seconds: float) -> bool:
    rows = list(csv.DictReader(stats_csv.open()))
    print(f"{'request':32} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    ok = True
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        p95 = float(row["95%"] or 0)
        line = (
            f"{name[:32]:32} {row['Request Count']:>7} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
        if name == "ALL":
            ok = p95 < TARGET_P95_MS and int(row["Failure Count"]) == 0
            print("-" * len(line))
        print(line)
    print(
        f"(ms; {seconds:.0f} s run) target: p95 < {TARGET_P95_MS:.0f} ms and 0 errors: "
        f"{'met' if ok else 'MISSED'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=2, help="users started per second")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=[5.0, 15.0],
        metavar=("MIN", "MAX"),
        help="seconds each user waits between actions",
    )
    parser.add_argument("--time", default="2m", help="Locust run time, e.g. 30s, 2m")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="server processes (serve)"
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/bk-national"))  # noqa: S108
    args = parser.parse_args()
    url, _, _ = prepare_database(
        url=None,
        data_dir=args.data_dir,
        seed=args.seed,
        scale=args.scale,
        now=datetime.now(UTC).replace(microsecond=0),
        reuse=True,
    )
    work = Path(tempfile.mkdtemp(prefix="bk-load-"))
    plan = work / "plan.json"
    plan.write_text(json.dumps({**asyncio.run(make_plan(url, args.seed)), "think": args.think}))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BK_DATABASE_URL": url,
        "BK_TRUSTED_PROXIES": "127.0.0.1/32",
        "BK_COOKIE_SECURE": "false",
        "BK_HOST": "127.0.0.1",
        "BK_PORT": str(port),
    }
    server_log = work / "server.log"
    with server_log.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [
                *(sys.executable, "-m", "api", "serve", "--host", "127.0.0.1"),
                *("--port", str(port), "--workers", str(args.workers)),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        try:
            wait_ready(base, server)
            print(
                f"server on {base} ({args.workers} processes, log {server_log}); "
                f"{args.users} users for {args.time}, "
                f"{args.spawn_rate}/s started, {args.think[0]:g}-{args.think[1]:g} s think time"
            )
            started = time.monotonic()
            subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(args.spawn_rate),
                    "--run-time",
                    args.time,
                    "--host",
                    base,
                    "--csv",
                    str(work / "load"),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                env={**os.environ, "BK_LOAD_PLAN": str(plan)},
                cwd=ROOT,
                check=False,
            )
            took = time.monotonic() - started
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    report(work / "load_stats.csv", took)
    failures = work / "load_failures.csv"
    if failures.exists() and len(failures.read_text().splitlines()) > 1:
        print(f"failures: {failures}")
        print(failures.read_text()[:2000])


if __name__ == "__main__":
    main()
