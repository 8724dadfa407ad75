"""Logs as JSON lines, each with the request it belongs to, and nothing about a person.

What may appear in a log line is decided here, not at each call site: the level, the
logger, the message (our messages carry codes and type names, never values), the request
id, and a fixed set of extra fields (error type, route template, status, duration, sweep
name). Anything else a library attaches is dropped. The access line names the route
template (``/cases/{case_id}``), never the raw path or its query string.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "bk_request_id", default=None
)

ALLOWED_EXTRA = ("error_type", "route", "method", "status", "ms", "sweep", "count")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            line["request_id"] = rid
        for key in ALLOWED_EXTRA:
            value = record.__dict__.get(key)
            if value is not None:
                line[key] = value
        if record.exc_info:
            # The exception's type only: its message and traceback may hold values.
            line["error_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(line, ensure_ascii=False)


def quiet_libraries() -> None:
    """Libraries that log whole URLs at INFO (httpx: the identity provider's callback URLs
    with their codes), and alembic's start-up chatter, log warnings and worse only."""
    for name in ("httpx", "httpcore", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


def configure(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """JSON lines on stderr for the app, the scheduler and uvicorn's own loggers. uvicorn's
    access log is replaced by ours (it would print raw paths and query strings)."""
    quiet_libraries()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    access.disabled = True
    return handler
