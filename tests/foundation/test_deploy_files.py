"""docker-compose, Dockerfile, README commands and .ci/run stay consistent."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_has_db_app_and_scheduler() -> None:
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = spec["services"]
    assert services["db"]["image"].startswith("postgres:16")
    assert "healthcheck" in services["db"] and "healthcheck" in services["app"]
    assert services["scheduler"]["command"] == ["boendekedjan", "run-scheduler"]
    assert "--no-scheduler" in services["app"]["command"]
    assert "pgdata" in spec["volumes"]


def test_compose_config_validates() -> None:
    env = {**os.environ, "POSTGRES_PASSWORD": "x", "BK_SECRET_KEY": "y", "BK_ENCRYPTION_KEYS": "z"}
    if (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        cmd = ["docker", "compose", "config", "-q"]
    elif shutil.which("docker-compose"):
        cmd = ["docker-compose", "config", "-q"]
    else:
        pytest.skip("neither 'docker compose' nor docker-compose is installed")
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_readme_commands_and_ci_agree() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "./scripts/demo" in readme and "./scripts/test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "exec ./scripts/test" in ci
    for script in ("scripts/demo", "scripts/test", ".ci/run"):
        assert os.access(ROOT / script, os.X_OK), script
