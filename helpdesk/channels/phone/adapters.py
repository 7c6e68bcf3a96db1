"""Provider formats to ``phone.CallUpdate``: Twilio's callback form, a JSON call log, a CSV row."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from marshmallow import EXCLUDE
from marshmallow import ValidationError as SchemaError

from helpdesk.channels.phone.calls import ENDED, STAGE, CallUpdate, record_call
from helpdesk.channels.phone.schemas import CALL_STATUS_ALIASES, CallLogIn
from helpdesk.errors import AppError, ValidationFailed
from helpdesk.extensions import db
from helpdesk.request_input import MAX_DB_INT

RECORDING_ONLY = "in-progress"  # a recording callback says nothing about the call's state


def twilio_call_update(form: Mapping[str, str]) -> CallUpdate:
    """Twilio's voice status callback (or recording status callback) parameters."""
    call_sid = (form.get("CallSid") or "").strip()
    status = (form.get("CallStatus") or "").strip().lower()
    if not status and form.get("RecordingUrl"):
        status = RECORDING_ONLY
    problems = {}
    if not call_sid:
        problems["CallSid"] = ["Missing."]
    if status not in STAGE:
        problems["CallStatus"] = [f"Unknown call status {status!r}."]
    if problems:
        raise ValidationFailed("This is not a Twilio voice status callback.", problems)
    direction = (form.get("Direction") or "inbound").lower()
    return CallUpdate(
        provider="twilio", call_id=call_sid, status=status,
        direction="inbound" if direction == "inbound" else "outbound",
        from_number=form.get("From") or form.get("Caller"), to_number=form.get("To") or form.get("Called"),
        duration_seconds=_integer(form.get("CallDuration") or form.get("RecordingDuration"), "CallDuration"),
        recording_url=form.get("RecordingUrl") or None,
        ended_at=_rfc2822(form.get("Timestamp")) if status in ENDED else None,
        sequence=_integer(form.get("SequenceNumber"), "SequenceNumber"),
    )


def call_update(provider: str, data: dict[str, Any]) -> CallUpdate:
    """A call already loaded by ``schemas.inbound.CallLogIn`` (JSON post or CSV row)."""
    status = CALL_STATUS_ALIASES.get(data["status"], data["status"])
    return CallUpdate(
        provider=provider, call_id=data["call_id"], status=status, direction=data.get("direction", "inbound"),
        from_number=data.get("from_number"), to_number=data.get("to_number"),
        duration_seconds=data.get("duration_seconds"), recording_url=data.get("recording_url"),
        started_at=data.get("started_at"), ended_at=data.get("ended_at"), sequence=data.get("sequence"),
    )


def _integer(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValidationFailed(f"{name} is not a number.", {name: [f"Not a number: {value!r}."]}) from None
    if not 0 <= number <= MAX_DB_INT:
        raise ValidationFailed(f"{name} is out of range.", {name: [f"Must be from 0 to {MAX_DB_INT}."]})
    return number


def _rfc2822(value: str | None):
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


@dataclass
class ImportSummary:
    outcomes: Counter = field(default_factory=Counter)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)

    def line(self) -> str:
        counts = self.outcomes
        return (f"Imported {sum(counts.values())} calls: {counts['ticket_created']} tickets created, "
                f"{counts['ticket_updated']} tickets updated, {counts['late'] + counts['recorded']} already known "
                f"or in progress, {counts['logged']} outbound logged; {len(self.bad_rows)} bad rows")


def import_csv(client_id: int, lines: Iterable[str]) -> ImportSummary:
    """A call-log export (columns as the JSON call log: call_id, from, to, direction, status,
    duration_seconds, recording_url, started_at, ended_at). A bad row is reported by its line
    number and skipped; the rest go in."""
    summary = ImportSummary()
    reader = csv.DictReader(lines)
    schema = CallLogIn()
    for row in reader:
        line = reader.line_num
        fields_given = {name: value for name, value in row.items() if name and value not in (None, "")}
        try:
            update = call_update("csv", schema.load(fields_given, unknown=EXCLUDE))
            summary.outcomes[record_call(client_id, update).outcome] += 1
        except SchemaError as error:
            summary.bad_rows.append((line, "; ".join(f"{name}: {' '.join(map(str, problems))}"
                                                     for name, problems in error.messages.items())))
        except AppError as error:
            db.session.rollback()
            summary.bad_rows.append((line, error.message))
    return summary
