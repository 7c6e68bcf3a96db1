"""SLA clocks on real tickets: due times in the client's calendar, pauses, warnings, breaches, sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq.registry import ScheduledJobRegistry

from helpdesk.extensions import db
from helpdesk.models import Client, Event, OlaTarget, Outbox, Region, SlaPolicy, Ticket, utcnow
from helpdesk.platform.events import Actor
from helpdesk.routing import assignment
from helpdesk.sla import clock as sla_clock
from tests.factories import auth, make_client, make_region
from workers.queues import DEFAULT_QUEUE, get_queue

WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
# Friday 2026-11-20 16:30 in Warsaw (UTC+1 in November) = 15:30 UTC.
FRIDAY_1630_WARSAW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


@pytest.fixture
def acme(client):
    client_id, key = make_client("acme", timezone="Europe/Warsaw")
    company = db.session.get(Client, client_id)
    company.calendar.weekly_hours = WEEKDAYS_9_TO_5
    company.calendar.holiday_country = "PL"
    db.session.add(SlaPolicy(client_id=client_id, priority="normal", first_response_minutes=60,
                             next_response_minutes=120, resolution_minutes=8 * 60, business_hours=True,
                             warning_percent=75))
    db.session.add(SlaPolicy(client_id=client_id, priority="high", first_response_minutes=30,
                             resolution_minutes=4 * 60, business_hours=False, warning_percent=50))
    db.session.commit()
    return client_id, key


def _ticket_at(client, key, created_at: datetime, **body) -> Ticket:
    response = client.post("/api/v1/tickets", json={"subject": "Late parcel", **body}, headers=auth(key))
    assert response.status_code == 201, response.json
    ticket = db.session.get(Ticket, response.json["id"])
    ticket.created_at = created_at
    sla_clock.start(ticket)  # as if it had arrived then
    db.session.commit()
    return ticket


def _events(ticket_id: int, kind: str) -> list[Event]:
    return list(db.session.scalars(db.select(Event).where(Event.ticket_id == ticket_id, Event.type == kind)))


def test_due_times_follow_the_clients_business_calendar(client, acme):
    _, key = acme
    ticket = _ticket_at(client, key, FRIDAY_1630_WARSAW)
    # 30 minutes left on Friday, 30 more from Monday 09:00 Warsaw (08:00 UTC).
    assert ticket.first_response_due_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    # 8 business hours: 30 min Friday + 7.5 h Monday -> Monday 16:30 Warsaw.
    assert ticket.resolution_due_at == datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    # Warning at 75 % of the first-response target: 45 business minutes -> Monday 09:15 Warsaw.
    assert ticket.sla_next_check_at == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)


def test_holiday_is_skipped(client, acme):
    _, key = acme
    # Tuesday 2026-11-10 16:30 Warsaw; 11 November is Independence Day (closed).
    ticket = _ticket_at(client, key, datetime(2026, 11, 10, 15, 30, tzinfo=UTC))
    assert ticket.first_response_due_at == datetime(2026, 11, 12, 8, 30, tzinfo=UTC)


def test_around_the_clock_policy_for_high_priority(client, acme):
    _, key = acme
    ticket = _ticket_at(client, key, FRIDAY_1630_WARSAW, priority="high")
    assert ticket.first_response_due_at == FRIDAY_1630_WARSAW + timedelta(minutes=30)
    assert ticket.resolution_due_at == FRIDAY_1630_WARSAW + timedelta(hours=4)


def test_pause_stops_the_clock_and_resume_continues_it(client, acme):
    _, key = acme
    ticket = _ticket_at(client, key, FRIDAY_1630_WARSAW)
    due_before = ticket.first_response_due_at
    paused_at = datetime(2026, 11, 20, 15, 45, tzinfo=UTC)        # Friday 16:45 Warsaw
    resumed_at = datetime(2026, 11, 23, 8, 20, tzinfo=UTC)        # Monday 09:20 Warsaw
    sla_clock.status_changed(ticket, "open", "pending", paused_at)
    assert ticket.sla_next_check_at is None                        # nothing fires while paused
    sla_clock.status_changed(ticket, "pending", "open", resumed_at)
    # Paused for 15 business minutes on Friday + 20 on Monday = 35 minutes later than before.
    assert ticket.first_response_due_at == due_before + timedelta(minutes=35)
    assert ticket.sla_paused_seconds == 35 * 60


def test_priority_change_recomputes_targets(client, acme):
    _, key = acme
    ticket = _ticket_at(client, key, FRIDAY_1630_WARSAW)
    ticket.priority = "high"
    sla_clock.priority_changed(ticket)
    assert ticket.first_response_due_at == FRIDAY_1630_WARSAW + timedelta(minutes=30)


def test_warning_then_breach_are_raised_once_and_escalate(client, acme):
    _, key = acme
    ticket = _ticket_at(client, key, FRIDAY_1630_WARSAW)
    warn_time = datetime(2026, 11, 23, 8, 16, tzinfo=UTC)
    assert sla_clock.check(ticket.id, warn_time) == ["ticket.sla_warning:first_response"]
    assert sla_clock.check(ticket.id, warn_time) == []             # idempotent
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.sla_next_check_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert ticket.priority == "normal" and not ticket.sla_breached

    breach_time = datetime(2026, 11, 23, 8, 31, tzinfo=UTC)
    assert sla_clock.check(ticket.id, breach_time) == ["ticket.sla_breached:first_response"]
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.sla_breached and ticket.priority == "high"       # the default escalation raises priority
    (breach,) = _events(ticket.id, "ticket.sla_breached")
    assert breach.data["escalation"] == {"priority": ["normal", "high"]}
    assert breach.data["target"] == "first_response"
    assert len(_events(ticket.id, "ticket.sla_warning")) == 1


def test_responded_ticket_does_not_breach_first_response(client, acme):
    _, key = acme
    ticket = _ticket_at(client, key, FRIDAY_1630_WARSAW)
    sla_clock.agent_replied(ticket, datetime(2026, 11, 20, 15, 40, tzinfo=UTC))
    db.session.commit()
    raised = sla_clock.check(ticket.id, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert "ticket.sla_breached:first_response" not in raised


def test_solved_ticket_stops_its_clock(client, acme):
    _, key = acme
    ticket = _ticket_at(client, key, FRIDAY_1630_WARSAW)
    client.patch(f"/api/v1/tickets/{ticket.id}", json={"status": "solved"}, headers=auth(key))
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).sla_next_check_at is None
    assert sla_clock.check(ticket.id, datetime(2026, 11, 30, tzinfo=UTC)) == []


def test_sweep_catches_what_a_lost_job_missed(client, acme):
    _, key = acme
    ticket = _ticket_at(client, key, FRIDAY_1630_WARSAW)
    late = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert sla_clock.sweep(late) == 1
    db.session.expire_all()
    assert {e.data["target"] for e in _events(ticket.id, "ticket.sla_breached")} == {"first_response"}
    assert sla_clock.sweep(late) == 0 or _events(ticket.id, "ticket.sla_breached")  # nothing new twice


def test_sweep_checks_in_batches_across_clients_with_gapless_sequences(client, redis):
    keys = []
    for slug in ("bolt", "cargo"):  # around the clock: the due instants depend only on the real clock
        client_id, key = make_client(slug)
        db.session.add(SlaPolicy(client_id=client_id, priority="normal", first_response_minutes=60,
                                 resolution_minutes=600, business_hours=False, warning_percent=50))
        keys.append(key)
    db.session.commit()
    now = utcnow()
    # First response (warning and breach) has passed; the resolution warning is two hours ahead.
    tickets = [_ticket_at(client, key, now - timedelta(hours=3)) for key in keys * 4]
    before = db.session.scalar(db.select(db.func.count(Outbox.id)).where(Outbox.task == sla_clock.CHECK_TASK))

    assert sla_clock.sweep(now, batch=3) == 8  # three transactions

    db.session.expire_all()
    for ticket in tickets:
        ticket = db.session.get(Ticket, ticket.id)
        assert [e.data["target"] for e in _events(ticket.id, "ticket.sla_breached")] == ["first_response"]
        assert [e.data["target"] for e in _events(ticket.id, "ticket.sla_warning")] == ["first_response"]
        assert ticket.priority == "high" and ticket.sla_breached
        assert ticket.sla_next_check_at == datetime.fromisoformat(ticket.sla_alerts["resolution"]["warning_at"])
    for client_id in {t.client_id for t in tickets}:
        seqs = list(db.session.scalars(db.select(Event.seq).where(Event.client_id == client_id).order_by(Event.seq)))
        assert seqs == list(range(1, len(seqs) + 1))  # no gap, no duplicate
    # Each ticket's next check (its resolution warning) is an RQ job scheduled at that instant.
    scheduled = ScheduledJobRegistry(queue=get_queue(DEFAULT_QUEUE, redis)).get_job_ids()
    new_checks = db.session.scalars(db.select(Outbox).where(Outbox.task == sla_clock.CHECK_TASK)
                                    .order_by(Outbox.created_at).offset(before)).all()
    assert sorted(row.payload["ticket_id"] for row in new_checks) == sorted(t.id for t in tickets)
    assert all(row.id in scheduled and row.not_before > now for row in new_checks)
    assert sla_clock.sweep(now) == 0  # nothing is raised twice


def test_check_is_scheduled_for_the_warning_instant(client, acme, redis):
    _, key = acme
    response = client.post("/api/v1/tickets", json={"subject": "Now"}, headers=auth(key))
    ticket = db.session.get(Ticket, response.json["id"])
    (row,) = db.session.scalars(db.select(Outbox).where(Outbox.task == sla_clock.CHECK_TASK)).all()
    assert row.not_before == ticket.sla_next_check_at
    assert row.enqueued_at is not None and row.last_error is None
    scheduled = ScheduledJobRegistry(queue=get_queue(DEFAULT_QUEUE, redis))
    assert row.id in scheduled.get_job_ids()


def test_region_ola_runs_beside_the_client_sla_and_restarts_with_a_new_region(client, acme):
    _, key = acme
    manila = make_region("manila", tz="Asia/Manila", around_the_clock=True, order=1)
    warsaw = make_region("warsaw", tz="Europe/Warsaw", around_the_clock=True, order=2)
    db.session.add_all([OlaTarget(region_id=manila.id, priority="normal", first_response_minutes=20,
                                  resolution_minutes=120),
                        OlaTarget(region_id=warsaw.id, priority="normal", first_response_minutes=10)])
    db.session.commit()
    ticket = _ticket_at(client, key, FRIDAY_1630_WARSAW)
    assert ticket.region_id == manila.id
    assert ticket.ola_first_response_due_at == FRIDAY_1630_WARSAW + timedelta(minutes=20)
    assert ticket.first_response_due_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)   # the SLA is separate

    raised = sla_clock.check(ticket.id, FRIDAY_1630_WARSAW + timedelta(minutes=21))
    assert raised == ["ticket.ola_warning:ola_first_response", "ticket.ola_breached:ola_first_response"]
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.priority == "normal" and not ticket.sla_breached    # an OLA miss is internal: no escalation

    moved_at = FRIDAY_1630_WARSAW + timedelta(minutes=30)
    ticket.queued_at = moved_at
    assignment.move_to_region(ticket.id, warsaw.id, Actor.system(), note="handoff")
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.region_id == db.session.get(Region, warsaw.id).id
    # Warsaw's own OLA runs from the move; its resolution OLA is not set, so none applies.
    assert ticket.ola_first_response_due_at > moved_at
    assert ticket.ola_resolution_due_at is None
    assert ticket.first_response_due_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
