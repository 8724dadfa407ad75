"""Write ``optimizer/language_names.py``: every language a household can be recorded as
speaking (``placement.cases.languages``), named in Swedish and English from babel's CLDR
data. The optimizer stays pure (no babel at run time); ``tests/optimizer`` checks that the
table is what this script writes.

    .venv/bin/python scripts/gen_language_names.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from placement.cases import languages  # noqa: E402

TARGET = ROOT / "optimizer" / "language_names.py"
HEADER = '''"""Language names in Swedish and English, by ISO 639 code (generated from CLDR by
``scripts/gen_language_names.py``; do not edit by hand)."""

from __future__ import annotations

NAMES: dict[str, tuple[str, str]] = {
'''


def render() -> str:
    rows = []
    for code in sorted(languages.known_codes()):
        sv = languages.name(code, "sv").lower()
        en = languages.name(code, "en")
        quoted = (json.dumps(x, ensure_ascii=False) for x in (code, sv, en))
        rows.append("    {}: ({}, {}),\n".format(*quoted))  # as ruff formats it
    return HEADER + "".join(rows) + "}\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(languages.known_codes())} languages")
