"""Fill empty Swedish msgstr entries from a Python dict file: scripts/fill_po.py DICT.py"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "api/locale/sv/LC_MESSAGES/messages.po"


def main() -> None:
    table: dict[str, str] = runpy.run_path(sys.argv[1])["SV"]
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="sv")
    filled = 0
    for message in catalog:
        if message.id and not message.string and message.id in table:
            message.string = table[message.id]
            filled += 1
    with PO.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, width=76)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"filled {filled}; still untranslated {len(missing)}")
    for m in missing:
        print(" ", m)


if __name__ == "__main__":
    main()
