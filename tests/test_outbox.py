"""Outbox: jobs are committed with the change, enqueued after commit, survive Redis outages."""

from __future__ import annotations

from datetime import timedelta

from rq.job import Job

from helpdesk.extensions import db
from helpdesk.models import Event, Outbox, Ticket, utcnow
from helpdesk.platform import outbox
from helpdesk.platform.events import PUBLISH_TASK
from tests.factories import auth, make_client
from workers.queues import REALTIME_QUEUE, get_queue
from workers.runner import enqueue_periodic
from workers.schedule import SCHEDULE


def _rows():
    """The outbox rows that push events live (creating a ticket also asks for routing)."""
    db.session.expire_all()
    return list(db.session.scalars(db.select(Outbox).where(Outbox.task == PUBLISH_TASK)
                                   .order_by(Outbox.created_at)))


def test_ticket_commit_writes_outbox_row_and_enqueues_it_with_its_id(client, redis, queue):
    _, key = make_client("acme")
    response = client.post("/api/v1/tickets", json={"subject": "Hi"}, headers=auth(key))
    assert response.status_code == 201
    (row,) = _rows()
    event = db.session.get(Event, row.payload["event_id"])
    assert event.ticket_id == response.json["id"] and event.type == "ticket.created"
    assert row.enqueued_at is not None and row.processed_at is None
    assert get_queue(REALTIME_QUEUE, redis).job_ids == [row.id]   # job_id = outbox id

    queue.run(REALTIME_QUEUE)
    assert Job.fetch(row.id, connection=redis).get_status() == "finished"
    # The job itself writes nothing; the periodic reconciler records completion in one batch.
    _age_enqueued(seconds=10)
    assert outbox.reconcile() == {"processed": 1, "requeued": 0}
    assert _rows()[0].processed_at is not None


def _relay_run_and_settle(queue) -> None:
    """The periodic relay sends the re-queued row, the job runs, the reconciler records it done."""
    db.session.execute(db.update(Outbox).values(created_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert outbox.relay_pending() == 1
    queue.run(REALTIME_QUEUE)
    _age_enqueued(seconds=10)
    assert outbox.reconcile() == {"processed": 1, "requeued": 0}


def _age_enqueued(seconds: int) -> None:
    db.session.execute(db.update(Outbox).where(Outbox.task == PUBLISH_TASK)
                       .values(enqueued_at=utcnow() - timedelta(seconds=seconds)))
    db.session.commit()


def test_running_a_job_twice_is_harmless(client, redis, queue):
    _, key = make_client("acme")
    client.post("/api/v1/tickets", json={"subject": "Hi"}, headers=auth(key))
    (row,) = _rows()
    queue.run(REALTIME_QUEUE)
    # RQ delivers at least once: enqueue the same job again, as a redelivery would.
    get_queue(REALTIME_QUEUE, redis).enqueue(row.task, kwargs=row.payload, job_id=row.id)
    queue.run(REALTIME_QUEUE)
    assert Job.fetch(row.id, connection=redis).get_status() == "finished"
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 1
    assert len(_rows()) == 1


def test_failed_job_is_retried_through_the_relay(client, redis, queue):
    _, key = make_client("acme")
    client.post("/api/v1/tickets", json={"subject": "Hi"}, headers=auth(key))
    (row,) = _rows()
    # The job's event is missing on first delivery: make the job fail instead.
    get_queue(REALTIME_QUEUE, redis).remove(row.id)
    get_queue(REALTIME_QUEUE, redis).enqueue("workers.jobs.does_not_exist", job_id=row.id)
    queue.run(REALTIME_QUEUE)
    assert Job.fetch(row.id, connection=redis).get_status() == "failed"
    _age_enqueued(seconds=10)
    assert outbox.reconcile() == {"processed": 0, "requeued": 1}
    _relay_run_and_settle(queue)
    assert _rows()[0].attempts == 2


def test_redis_down_ticket_is_still_accepted_and_relayed_later(app_factory, redis, queue):
    broken = app_factory(REDIS_URL="redis://127.0.0.1:1/0")   # nothing listens on port 1
    with broken.app_context():
        _, key = make_client("acme")
        response = broken.test_client().post("/api/v1/tickets", json={"subject": "During outage"},
                                             headers=auth(key))
        assert response.status_code == 201, response.json
        db.session.remove()
    # Nothing is lost: ticket and outbox row are committed, waiting for the relay.
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
    (row,) = _rows()
    assert row.enqueued_at is None
    assert get_queue(REALTIME_QUEUE, redis).count == 0

    # Redis is back: the periodic relay (a real job) enqueues the row, the worker runs it.
    db.session.execute(db.update(Outbox).values(created_at=utcnow() - timedelta(seconds=10)))
    db.session.commit()
    relay = next(job for job in SCHEDULE if job.task.endswith("relay_outbox"))
    assert enqueue_periodic(redis, relay)
    queue.run()
    row = _rows()[0]  # ticket.created; routing then recorded its own event
    assert row.enqueued_at is not None
    assert Job.fetch(row.id, connection=redis).get_status() == "finished"


def test_reconciler_requeues_a_job_that_was_lost(client, redis, queue):
    _, key = make_client("acme")
    client.post("/api/v1/tickets", json={"subject": "Hi"}, headers=auth(key))
    (row,) = _rows()
    # The worker died with the job and RQ no longer knows it; the row was never processed.
    Job.fetch(row.id, connection=redis).delete()
    _age_enqueued(seconds=30)
    assert outbox.reconcile() == {"processed": 0, "requeued": 0}   # too early to call it lost
    _age_enqueued(seconds=5 * 60)
    assert outbox.reconcile() == {"processed": 0, "requeued": 1}
    assert _rows()[0].enqueued_at is None
    _relay_run_and_settle(queue)


def test_reconciler_leaves_live_jobs_alone(client, redis):
    _, key = make_client("acme")
    client.post("/api/v1/tickets", json={"subject": "Hi"}, headers=auth(key))
    _age_enqueued(seconds=5 * 60)
    assert outbox.reconcile() == {"processed": 0, "requeued": 0}   # still queued in RQ: not lost


def test_failed_transaction_leaves_no_outbox_row(client):
    _, key = make_client("acme")
    # external_id conflict makes the second create fail before commit.
    client.post("/api/v1/tickets", json={"subject": "a", "external_id": "X1"}, headers=auth(key))
    second = client.post("/api/v1/tickets", json={"subject": "b", "external_id": "X1"}, headers=auth(key))
    assert second.status_code == 409
    assert len(_rows()) == 1


def test_periodic_job_has_fixed_id_and_does_not_pile_up(redis):
    job = SCHEDULE[0]
    assert enqueue_periodic(redis, job) is True
    assert enqueue_periodic(redis, job) is False   # previous run still queued
    assert get_queue(job.queue, redis).job_ids == [job.job_id]


def test_jobs_of_a_rolled_back_transaction_are_never_enqueued(app, redis):
    client_id, _ = make_client("acme")
    outbox.add("workers.jobs.publish_event", {"event_id": 1}, client_id=client_id)
    db.session.rollback()                        # e.g. a service raised after writing the row
    outbox.add("workers.jobs.publish_event", {"event_id": 2}, client_id=client_id)
    outbox.commit()
    jobs = get_queue(REALTIME_QUEUE, redis).get_jobs()
    assert [job.kwargs for job in jobs] == [{"event_id": 2}]
    assert len(_rows()) == 1
