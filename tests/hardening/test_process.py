"""The process around the embedded server: SIGTERM stops the embedded PostgreSQL the process
started, and two cold starts on one data directory both succeed (the second waits)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START = (
    "import sys; from pathlib import Path; from placement.embedded_pg import start_embedded; "
    "print(start_embedded(Path(sys.argv[1]), cleanup='stop'))"
)


def _postgres_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().splitlines()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_two_cold_starts_on_one_data_directory(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"

    def start() -> str:
        out = subprocess.run(
            [sys.executable, "-c", START, str(pgdata)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return out.stdout.strip().splitlines()[-1]

    with ThreadPoolExecutor(2) as pool:
        urls = list(pool.map(lambda _: start(), range(2)))
    assert urls[0] == urls[1] and urls[0].startswith("postgresql+asyncpg://")
    assert not _postgres_running(pgdata)  # both exited; the server stopped with them


@pytest.mark.slow
def test_sigterm_stops_the_embedded_server(tmp_path: Path) -> None:
    env = {**os.environ, "BK_DATA_DIR": str(tmp_path), "BK_ENVIRONMENT": "test"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "boendekedjan"), "run-scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Ready when the scheduler says so: a postmaster.pid alone may be initdb's own
    # single-user backend, gone two seconds later, and a SIGTERM in the middle of the
    # migrations is not what this test is about.
    assert proc.stdout is not None
    with ThreadPoolExecutor(1) as pool:
        ready = pool.submit(lambda: any("scheduler running" in line for line in proc.stdout))
        try:
            assert ready.result(timeout=180), "the scheduler started"
        except TimeoutError:
            proc.kill()
            raise
    pgdata = next(iter(tmp_path.glob("**/postmaster.pid")), None)
    assert pgdata is not None and _postgres_running(pgdata.parent)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while _postgres_running(pgdata.parent) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _postgres_running(pgdata.parent)
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()
