"""Domain exceptions. The API maps them to HTTP answers a social worker can read."""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:
    """Marks a message constant for the translation catalog (its English text is the msgid)."""
    return message


class DomainError(Exception):
    """Base class. ``message`` is shown to the user; never put personal data in it."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def translated(self, gettext: Callable[[str], str], sv: bool) -> str:
        """The message in the reader's language; the English text is the msgid."""
        return gettext(self.message)


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    status_code = 422


class Forbidden(DomainError):
    status_code = 403
