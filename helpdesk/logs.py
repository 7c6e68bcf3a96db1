"""Logs: human lines on the console, JSON for machines.

- Console (stderr): ``15:37:04 worker     WARNING message`` (time, process, level, message), the
  default. ``LOG_JSON=1`` writes one JSON object per line instead, for production log shippers.
- ``LOG_FILE``: every record also as JSON lines in that file (the launcher of ``make run`` sets
  ``instance/helpdesk.log``), including the per-job chatter the console leaves out.

The process name comes from ``HELPDESK_PROCESS`` (the launcher names each process it starts).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from logging.handlers import WatchedFileHandler
from pathlib import Path

from flask import Flask, g, has_request_context, request

RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Loggers that write a line or more for every job run or SMTP connection: useful in the file, noise on a console.
CHATTY_LOGGERS = ("rq.worker", "rq.scheduler", "rq.queue", "rq.job", "mail.log")


def process_name() -> str:
    return os.environ.get("HELPDESK_PROCESS") or Path(sys.argv[0]).stem or "helpdesk"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "process": process_name(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        if has_request_context():
            entry["method"] = request.method
            entry["path"] = request.path
            if getattr(g, "api_client_id", None):
                entry["client_id"] = g.api_client_id
        entry.update({k: v for k, v in vars(record).items() if k not in RESERVED and not k.startswith("_")})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class HumanFormatter(logging.Formatter):
    """One short line a record (a traceback, when there is one, below it)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        line = f"{moment} {process_name():<10} {record.levelname:<7} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class QuietChatter(logging.Filter):
    """Keeps per-job INFO lines of the job queue off the console (warnings and errors still show)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(CHATTY_LOGGERS)


class OneLinePerOutage(logging.Filter):
    """flask-limiter logs a full traceback on every request while its Redis is unreachable (the
    limits are skipped, the request served). Keep one warning line per outage: a failure within
    ``quiet_seconds`` of the previous one belongs to the same outage."""

    def __init__(self, quiet_seconds: float = 60.0) -> None:
        super().__init__()
        self.quiet_seconds = quiet_seconds
        self.last_failure: float | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if "Swallowing error" not in record.getMessage():
            return True
        now = time.monotonic()
        same_outage = self.last_failure is not None and now - self.last_failure < self.quiet_seconds
        self.last_failure = now
        if same_outage:
            return False
        cause = record.exc_info[1] if record.exc_info else None
        record.msg = "rate limits are not applied: their Redis storage is unreachable (%s); " \
                     "requests are served without limits until it is back"
        record.args = (f"{type(cause).__name__}: {cause}" if cause else "unknown error",)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        return True


LIMITER_OUTAGES = OneLinePerOutage()


def configure(app: Flask) -> None:
    limiter_log = logging.getLogger("flask-limiter")
    if LIMITER_OUTAGES not in limiter_log.filters:
        limiter_log.addFilter(LIMITER_OUTAGES)
    root = logging.getLogger()
    # Replace, not add: tests build many apps in one process.
    for existing in [h for h in root.handlers if getattr(h, "_helpdesk", False)]:
        root.removeHandler(existing)
        existing.close()
    console = logging.StreamHandler(sys.stderr)
    if app.config.get("LOG_JSON"):
        console.setFormatter(JsonFormatter())
    else:
        console.setFormatter(HumanFormatter())
        console.addFilter(QuietChatter())
    _add(root, console)
    if app.config.get("LOG_FILE"):
        Path(app.config["LOG_FILE"]).parent.mkdir(parents=True, exist_ok=True)
        # Watched: several processes append to one file, and logrotate may move it away.
        file_handler = WatchedFileHandler(app.config["LOG_FILE"], encoding="utf-8")
        file_handler.setFormatter(JsonFormatter())
        _add(root, file_handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))


def _add(root: logging.Logger, handler: logging.Handler) -> None:
    handler._helpdesk = True
    root.addHandler(handler)
