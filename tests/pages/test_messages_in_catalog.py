"""Every message a domain error carries can reach the catalog, so a Swedish reader never gets
English: no f-string, concatenation or ``.format`` builds an error message (blanks go in
``params``), and a module constant given to an error is wrapped in ``N_`` (else extraction
misses it). The Swedish text of a message with blanks keeps exactly its blanks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

from placement.errors import Conflict, InvalidInput, fill

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {
    "DomainError",
    "InvalidInput",
    "Conflict",
    "NotFound",
    "Forbidden",
    "Unauthenticated",
    "PermissionDenied",
    "PagePermissionDenied",
    "LoginRefused",
    "TooManyAttempts",
    "CsrfFailed",
    "SignInFailed",
    "SessionEnded",
}


def _wrapped(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id == "N_"
    if isinstance(node, ast.IfExp):
        return _wrapped(node.body) and _wrapped(node.orelse)
    if isinstance(node, ast.Dict):
        return all(_wrapped(v) for v in node.values)
    return False


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    constants: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                constants[target.id] = node.value
    out: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in ERRORS:
            continue
        arg = node.args[0]
        where = f"{path.name}:{node.lineno}"
        if isinstance(arg, ast.JoinedStr | ast.BinOp) or (
            isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute)
        ):
            out.append(f"{where}: message built at run time ({ast.unparse(arg)[:60]})")
        elif isinstance(arg, ast.Name) and arg.id in constants:
            value = constants[arg.id]
            if isinstance(value, ast.Constant) or not _wrapped(value):
                out.append(f"{where}: {arg.id} is not wrapped in N_")
    return out


def test_no_error_message_escapes_the_catalog() -> None:
    problems = [
        p
        for package in ("placement", "api")
        for f in sorted((ROOT / package).rglob("*.py"))
        for p in _problems(f)
    ]
    assert problems == []


def test_the_check_finds_a_built_message(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text(
        'from placement.errors import Conflict\nX = "raw"\n'
        'def f(n: int) -> None:\n    raise Conflict(f"{n} left")\n'
        "def g() -> None:\n    raise Conflict(X)\n"
    )
    assert len(_problems(bad)) == 2


BLANK = re.compile(r"\{(\w*)\}")


def test_swedish_keeps_every_blank() -> None:
    with (ROOT / "api/locale/sv/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="sv")
    wrong = [
        m.id
        for m in catalog
        if isinstance(m.id, str)
        and m.string
        and set(BLANK.findall(m.id)) != set(BLANK.findall(str(m.string)))
    ]
    assert wrong == []


def test_blanks_and_labels_are_translated() -> None:
    swedish = {
        "The application is already {status}.": "Ansökan är redan {status}.",
        "approved": "godkänd",
        "Unknown district code: {codes}.": "Okänd stadsdelskod: {codes}.",
    }
    exc = Conflict("The application is already {status}.", params={"status": "approved"})
    assert exc.message == "The application is already approved."
    assert exc.translated(lambda s: swedish.get(s, s), True) == "Ansökan är redan godkänd."
    many = InvalidInput("Unknown district code: {codes}.", params={"codes": ["x1", "y2"]})
    assert many.translated(lambda s: swedish.get(s, s), True) == "Okänd stadsdelskod: x1, y2."
    assert fill("{n} left", {"n": 3}) == "3 left"
