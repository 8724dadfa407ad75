"""Domain exceptions. The API maps them to HTTP answers a social worker can read.

A message is an English msgid from the translation catalog (wrap module constants in ``N_``).
A message with blanks takes them as ``params`` (``InvalidInput(N_("Only {n} left."),
params={"n": 3})``); a string parameter is itself looked up in the catalog, so a status label
or a check's name reaches the reader in their language, and a list of strings is translated
item by item and joined with ", ". Never build a message with an f-string: the catalog cannot
hold it and the Swedish reader gets English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Msg:
    """A message with its blanks, for a message that lists other messages."""

    template: str
    params: Mapping[str, str | int | float] = field(default_factory=dict)


Param = str | int | float | Msg | Sequence[str | Msg]


def N_(message: str) -> str:
    """Marks a message constant for the translation catalog (its English text is the msgid)."""
    return message


def fill(
    template: str, params: Mapping[str, Param], gettext: Callable[[str], str] | None = None
) -> str:
    """``template`` with its blanks filled; with ``gettext``, both in the reader's language."""
    tr: Callable[[str], str] = gettext or (lambda s: s)

    def one(value: str | Msg) -> str:
        if isinstance(value, Msg):
            return fill(value.template, value.params, gettext)
        return str(tr(value)) if value else value

    values: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, str | Msg):
            values[key] = one(value)
        elif isinstance(value, int | float):
            values[key] = value
        else:
            items = list(value)
            joiner = " " if any(isinstance(v, Msg) for v in items) else ", "
            values[key] = joiner.join(one(v) for v in items)
    return str(tr(template)).format(**values)


class DomainError(Exception):
    """Base class. ``message`` is shown to the user; never put personal data in it."""

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        params: Mapping[str, Param] | None = None,
    ) -> None:
        self.template = message
        self.params: dict[str, Param] = dict(params or {})
        text = fill(message, self.params) if self.params else message
        super().__init__(text)
        self.message = text
        self.field = field

    def translated(self, gettext: Callable[[str], str], sv: bool) -> str:
        """The message in the reader's language; the English text is the msgid."""
        if self.params:
            return fill(self.template, self.params, gettext)
        return gettext(self.message)


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    status_code = 422


class Forbidden(DomainError):
    status_code = 403
