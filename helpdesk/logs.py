"""Structured logs: one JSON object per line on stderr (plain text in tests)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
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


def configure(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if app.config.get("LOG_JSON"):
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    # Replace, not add: tests build many apps in one process.
    for existing in [h for h in root.handlers if getattr(h, "_helpdesk", False)]:
        root.removeHandler(existing)
    handler._helpdesk = True
    root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
