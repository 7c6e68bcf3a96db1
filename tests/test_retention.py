"""Housekeeping: processed outbox rows and old idempotency keys are forgotten; nothing else is."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.extensions import db
from helpdesk.models import IdempotencyKey, Outbox, utcnow
from helpdesk.platform import retention
from tests.factories import auth, make_client
from workers import jobs
from workers.schedule import SCHEDULE


def _ticket(client, key, idempotency_key: str) -> int:
    response = client.post("/api/v1/tickets", json={"subject": f"Order {idempotency_key}"},
                           headers={**auth(key), "Idempotency-Key": idempotency_key})
    assert response.status_code == 201, response.json
    return response.json["id"]


def _age(model, column, ids, hours: float) -> None:
    db.session.execute(db.update(model).where(model.id.in_(ids)).values({column: utcnow() - timedelta(hours=hours)}))
    db.session.commit()


def test_prune_forgets_only_what_is_past_its_retention(client, app):
    _, key = make_client("acme")
    old_ticket = _ticket(client, key, "old-1")
    _ticket(client, key, "new-1")
    rows = db.session.scalars(db.select(Outbox).order_by(Outbox.created_at)).all()
    processed_long_ago, processed_lately, never_processed = rows[0].id, rows[1].id, rows[-1].id
    _age(Outbox, "processed_at", [processed_long_ago], hours=app.config["OUTBOX_RETENTION_HOURS"] + 1)
    _age(Outbox, "processed_at", [processed_lately], hours=1)
    db.session.execute(db.update(Outbox).where(Outbox.id == never_processed)
                       .values(processed_at=None, created_at=utcnow() - timedelta(days=30)))
    old_key = db.session.scalar(db.select(IdempotencyKey.id).where(IdempotencyKey.key == "old-1"))
    _age(IdempotencyKey, "created_at", [old_key], hours=app.config["IDEMPOTENCY_RETENTION_HOURS"] + 1)

    assert jobs.prune_old_records() == {"outbox": 1, "idempotency_keys": 1, "webhook_deliveries": 0}

    left = set(db.session.scalars(db.select(Outbox.id)))
    assert processed_long_ago not in left and {processed_lately, never_processed} <= left
    assert set(db.session.scalars(db.select(IdempotencyKey.key))) == {"new-1"}
    # The forgotten key no longer replays the old answer: the same key makes a new ticket.
    assert _ticket(client, key, "old-1") != old_ticket
    assert jobs.prune_old_records() == {"outbox": 0, "idempotency_keys": 0, "webhook_deliveries": 0}


def test_prune_works_through_a_backlog_in_batches(client, app, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 3)
    long_ago = utcnow() - timedelta(hours=app.config["OUTBOX_RETENTION_HOURS"] + 5)
    db.session.add_all([Outbox(task="workers.jobs.relay_outbox", queue="scheduled", payload={},
                               processed_at=long_ago) for _ in range(10)])
    db.session.commit()
    assert retention.prune()["outbox"] == 10
    assert db.session.scalar(db.select(db.func.count(Outbox.id))) == 0


def test_retention_runs_hourly():
    (job,) = [job for job in SCHEDULE if job.task == "workers.jobs.prune_old_records"]
    assert job.every_seconds == 3600
