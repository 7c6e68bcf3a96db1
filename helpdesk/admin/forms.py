"""Reading admin forms and committing admin changes, shared by every set-up module.

Form values come in as a mapping of field name to a list of strings (what an HTML
form posts, ``request.form.to_dict(flat=False)``). Every set-up function validates all
of its fields first (``Fields``) and raises ``ValidationFailed`` with a message per
field, so a half-valid form changes nothing; then it writes and calls ``commit_change``,
which commits, clears the per-process caches that hold set-up data (so the change takes
effect at once in this process, and within their few seconds in others) and logs the
change with the admin who made it (logger ``helpdesk.admin``)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import has_request_context
from flask_login import current_user

from helpdesk import audit
from helpdesk.errors import NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform.cache import app_cache

log = logging.getLogger("helpdesk.admin")
Form = Mapping[str, Any]
PREFIX_RE = re.compile(r"^[A-Z0-9]{1,12}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
INTERVAL_RE = re.compile(r"^(\d\d:\d\d)-(\d\d:\d\d)$")
HANDOFF_POLICIES = ("keep", "handoff")
MAX_MINUTES = 525_600  # a year


# Every per-process cache that holds set-up data (see routing, clients, chat, email_ingest, inbound).
CACHES = (("eligible_regions", 15), ("all_regions", 15), ("region_slugs", 15), ("api_keys", 10),
          ("inbound-clients", 10), ("support-addresses", 30), ("chat-clients", 10), ("chat-origins", 10))


class Fields:
    """Reads a posted form, collecting one list of messages per field."""

    def __init__(self, data: Form) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raw(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v).replace("\x00", "") for v in values]  # PostgreSQL text cannot hold NUL

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str:
        values = self.raw(name)
        value = values[0].strip() if values else ""
        if required and not value:
            self.error(name, "Required.")
        if len(value) > max_length:
            self.error(name, f"At most {max_length} characters.")
        return value

    def flag(self, name: str) -> bool:
        return any(v in ("1", "on", "true", "yes") for v in self.raw(name))

    def choices(self, name: str, allowed: tuple[str, ...] | list[str]) -> list[str]:
        chosen = [v for v in self.raw(name) if v]
        for value in chosen:
            if value not in allowed:
                self.error(name, f"Unknown value {value!r}.")
        return [v for v in allowed if v in chosen]

    def words(self, name: str) -> list[str]:
        """Comma-, space- or line-separated values, in order, without repeats."""
        text = " ".join(self.raw(name))
        return list(dict.fromkeys(w for w in re.split(r"[\s,]+", text) if w))

    def lines(self, name: str) -> list[str]:
        return [line.strip() for v in self.raw(name) for line in v.splitlines() if line.strip()]

    def number(self, name: str, *, low: int = 0, high: int = MAX_MINUTES, required: bool = False) -> int | None:
        value = self.text(name, max_length=12)
        if not value:
            if required:
                self.error(name, "Required.")
            return None
        if not re.fullmatch(r"-?[0-9]+", value):
            self.error(name, "Give a whole number.")
            return None
        number = int(value)
        if not low <= number <= high:
            self.error(name, f"Between {low} and {high}.")
            return None
        return number

    def ids(self, name: str) -> list[int]:
        result = []
        for value in self.raw(name):
            if not value:
                continue
            if as_id(value) is None:
                self.error(name, f"Unknown value {value!r}.")
                continue
            result.append(as_id(value))
        return list(dict.fromkeys(result))

    def timezone(self, name: str) -> str:
        value = self.text(name, required=True, max_length=64)
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                self.error(name, f"Unknown time zone {value!r}; use an IANA name such as Europe/Warsaw.")
        return value

    def check(self, message: str = "Please correct the marked fields.") -> None:
        if self.errors:
            raise ValidationFailed(message, self.errors)


MAX_ID = 2**31 - 1


def as_id(value: Any) -> int | None:
    """A row id from a form or URL, or None; never a number the database's integer cannot hold."""
    text = str(value or "")
    return int(text) if re.fullmatch(r"[0-9]{1,10}", text) and int(text) <= MAX_ID else None


def forget_caches() -> None:
    for name, seconds in CACHES:
        app_cache(name, seconds).clear()


def _actor() -> int | None:
    """The signed-in admin making the change, for the log line (None outside a request)."""
    if not has_request_context():
        return None
    return getattr(current_user, "id", None)


def log_change(what: str, details: dict[str, Any]) -> None:
    log.info("admin: %s", what, extra={"admin_change": {**details, "by_agent_id": _actor()}})


def commit_change(what: str, **details: Any) -> None:
    audit.record("admin.change", client_id=details.get("client_id"),
                 details={"what": what, **{key: str(value) for key, value in details.items()}})
    db.session.commit()
    forget_caches()
    log_change(what, details)


def get_or_404(model: type, object_id: int | None, label: str) -> Any:
    object_id = as_id(object_id)
    found = db.session.get(model, object_id) if object_id is not None else None
    if found is None:
        raise NotFound(f"No such {label}.")
    return found
