"""Logging for operators: text or one JSON object a line, at the configured level, with the
Slack request each line belongs to (team, user, command or event type, incident).

The request's identity lives in a context variable set once per request by the HTTP layer
(and copied into work after the acknowledgement), so no code that logs has to pass it
along. JSON comes from python-json-logger on the standard `logging` module: every library's
records go through the same formatter.

Secrets never reach a log: slack_sdk logs request bodies and headers at DEBUG, so its
loggers stay at WARNING whatever the level, and our own lines never format a token.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields

from pythonjsonlogger.json import JsonFormatter

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Loggers that print request bodies or credentials at DEBUG/INFO.
QUIET = {"slack_sdk": logging.WARNING, "slack_bolt": logging.WARNING, "urllib3": logging.WARNING,
         "botocore": logging.WARNING, "boto3": logging.WARNING, "alembic": logging.WARNING,
         "waitress.queue": logging.ERROR}  # fmt: skip


@dataclass
class RequestContext:
    team: str | None = None
    user: str | None = None
    command: str | None = None
    event: str | None = None
    channel: str | None = None
    incident: str | None = None
    # Looks the incident up by channel the first time a line is logged (most requests
    # log nothing, so most pay nothing).
    resolve_incident: Callable[[str], str | None] | None = field(default=None, repr=False)
    _resolved: bool = field(default=False, repr=False)

    def fields(self) -> dict[str, str]:
        if not self._resolved and self.incident is None and self.channel and self.resolve_incident:
            self._resolved = True
            with contextlib.suppress(Exception):  # a log line never fails a request
                self.incident = self.resolve_incident(self.channel)
        return {
            f.name: value
            for f in fields(self)
            if f.name in _LOGGED and isinstance(value := getattr(self, f.name), str)
        }


_LOGGED = ("team", "user", "command", "event", "incident")
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "warroom_request", default=None
)
_inside_filter = threading.local()


@contextmanager
def request_context(context: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def current() -> RequestContext | None:
    return _current.get()


class ContextFilter(logging.Filter):
    """Puts the request's fields on every record (as attributes: JSON keys, text suffix)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        extra: dict[str, str] = {}
        if context is not None and not getattr(_inside_filter, "active", False):
            _inside_filter.active = True  # the incident lookup may log (SQLAlchemy)
            try:
                extra = context.fields()
            finally:
                _inside_filter.active = False
        for name in _LOGGED:
            setattr(record, name, extra.get(name))
        record.context = (
            " [" + " ".join(f"{k}={v}" for k, v in extra.items()) + "]" if extra else ""
        )
        return True


class _Json(JsonFormatter):
    def process_log_record(self, log_data: dict[str, object]) -> dict[str, object]:
        log_data.pop("context", None)
        return {k: v for k, v in log_data.items() if v is not None}


def setup_logging(level: str = "INFO", fmt: str = "text", stream: object = None) -> None:
    """Replace whatever handlers there are with one on stderr."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.addFilter(ContextFilter())
    if fmt == "json":
        handler.setFormatter(
            _Json(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                datefmt="%Y-%m-%dT%H:%M:%S%z",
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s")
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(max(quiet, logging.getLevelName(level)))
