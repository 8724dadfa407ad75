"""Domain exceptions. The API maps them to HTTP answers a social worker can read."""

from __future__ import annotations


class DomainError(Exception):
    """Base class. ``message`` is shown to the user; never put personal data in it."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    status_code = 422


class Forbidden(DomainError):
    status_code = 403
