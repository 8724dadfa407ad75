"""Every interface string and domain message has a Swedish translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    k: None
    for k in (
        "_",
        "gettext",
        "N_",
        "InvalidInput",
        "Conflict",
        "NotFound",
        "Forbidden",
        "DomainError",
        "Unauthenticated",
        "PermissionDenied",
        "PagePermissionDenied",
        "LoginRefused",
        "TooManyAttempts",
        "CsrfFailed",
    )
}


def _extracted() -> set[str]:
    found: set[str] = set()
    for package in ("api", "placement"):
        method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package,
            method_map=method_map,
            keywords=KEYWORDS,  # type: ignore[arg-type]
        ):
            if isinstance(message, str) and message:
                found.add(message)
    return found


def test_swedish_catalog_is_complete() -> None:
    with (ROOT / "api/locale/sv/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="sv")
    translated = {m.id for m in catalog if m.id and m.string}
    extracted = _extracted()
    assert len(extracted) > 80  # the extraction itself works
    missing = sorted(extracted - translated)
    assert missing == [], "run ./scripts/i18n and translate: " + "; ".join(missing[:20])
