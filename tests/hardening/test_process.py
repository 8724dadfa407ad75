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


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


@pytest.mark.slow
def test_serve_with_two_workers_on_the_embedded_server(tmp_path: Path) -> None:
    """`serve --workers 2`: two server processes on the one embedded PostgreSQL the parent
    started, both answering; SIGTERM stops them and the database."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "BK_DATA_DIR": str(tmp_path), "BK_ENVIRONMENT": "test"}
    env.pop("DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "boendekedjan"),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-scheduler",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        ready = False
        while time.monotonic() < deadline and not ready:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    ready = r.status == 200
            except OSError:
                time.sleep(0.5)
        assert ready, "the workers answered /readyz"
        workers = [c for c in _children(proc.pid) if b"spawn_main" in _cmdline(c)]
        assert len(workers) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    pid_file = next(iter(tmp_path.glob("**/postmaster.pid")), None)
    assert pid_file is None or not _postgres_running(pid_file.parent)
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def _cmdline(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""
