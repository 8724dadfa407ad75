"""The optimizer stays pure: stdlib, OR-Tools and numpy only, no clock, no app imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "optimizer"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def test_only_stdlib_ortools_and_numpy() -> None:
    allowed = set(sys.stdlib_module_names) | {"ortools", "numpy", "optimizer", "__future__"}
    for path in sorted(PACKAGE.glob("*.py")):
        extra = _imports(path) - allowed
        assert not extra, f"{path.name} imports {extra}"


def test_no_wall_clock_as_data() -> None:
    # time.perf_counter only measures the solver budget; domain time comes in as data.
    for path in sorted(PACKAGE.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for banned in ("datetime.now", "date.today", "time.time(", "utcnow"):
            assert banned not in text, f"{path.name} uses {banned}"
