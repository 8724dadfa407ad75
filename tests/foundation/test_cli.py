"""The command line fails with one clear line, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

BIN = [sys.executable, "-m", "api"]


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "BK_DATA_DIR": str(tmp_path / "data"), **env}
    full_env.pop("DATABASE_URL", None) if "DATABASE_URL" not in env else None
    return subprocess.run(
        [*BIN, *args], env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


def test_wrong_database_url_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    result = _run(
        ["migrate"], {"DATABASE_URL": f"postgresql://x:y@127.0.0.1:{free_port}/none"}, tmp_path
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("boendekedjan: cannot use the database")
    assert "Traceback" not in result.stderr


def test_occupied_port_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = _run(["serve", "--port", str(port)], {}, tmp_path)
    assert result.returncode == 3
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        f"boendekedjan: port {port} on 127.0.0.1 is already in use; "
        "stop the other program or set BK_PORT"
    ]


@pytest.mark.slow
def test_embedded_data_survive_restart(tmp_path: Path) -> None:
    """seed-demo twice on the same data directory: the second run finds the data."""
    first = _run(["seed-demo"], {}, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "demo city created" in first.stdout
    second = _run(["seed-demo"], {}, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already present" in second.stdout
