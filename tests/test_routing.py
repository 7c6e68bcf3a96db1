"""Routing: region, eligibility, fairness, the region queue, and the reasons recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.extensions import db
from helpdesk.models import Agent, Event, Ticket, utcnow
from helpdesk.platform.events import Actor
from helpdesk.routing import assignment, presence
from tests.factories import auth, make_agent, make_client, make_region

ALL_DAYS_CLOSED: dict = {}


@pytest.fixture
def manila():
    return make_region("manila", tz="Asia/Manila", order=1)


def _online(agent, **changes) -> Agent:
    for field, value in changes.items():
        setattr(agent, field, value)
    db.session.commit()
    presence.set_state(agent.id, "online")
    return db.session.get(Agent, agent.id)


def _ticket(client, key, **body) -> Ticket:
    response = client.post("/api/v1/tickets", json={"subject": "Help", **body}, headers=auth(key))
    assert response.status_code == 201, response.json
    return db.session.get(Ticket, response.json["id"])


def _route(ticket_id: int):
    db.session.expire_all()
    return assignment.route_ticket(ticket_id)


def _events(ticket_id: int, kind: str) -> list[Event]:
    return list(db.session.scalars(db.select(Event).where(Event.ticket_id == ticket_id, Event.type == kind)))


def test_assigns_least_loaded_then_longest_idle(client, manila):
    _, key = make_client("acme")
    busy = _online(make_agent("busy@x.test", region_slug="manila", name="Busy"))
    idle_long = _online(make_agent("long@x.test", region_slug="manila", name="Long"),
                        last_assigned_at=utcnow() - timedelta(hours=3))
    idle_short = _online(make_agent("short@x.test", region_slug="manila", name="Short"),
                         last_assigned_at=utcnow() - timedelta(minutes=5))
    first = _ticket(client, key)
    db.session.execute(db.update(Ticket).where(Ticket.id == first.id).values(assignee_id=busy.id, status="open"))
    db.session.commit()

    decision = _route(_ticket(client, key).id)
    assert decision.agent_id == idle_long.id          # load 0 and idle longest
    decision = _route(_ticket(client, key).id)
    assert decision.agent_id == idle_short.id         # load 0 beats load 1
    decision = _route(_ticket(client, key).id)
    assert decision.agent_id == busy.id               # all at load 1: busy waited longest (never assigned)


@pytest.mark.parametrize("mismatch, reason", [
    ({"languages": ["en"]}, "no agent with language pt online in Manila; queued"),
    ({"channels": ["chat"]}, "no agent with the email skill online in Manila; queued"),
    ({"capacity": {"email": 0}}, "no agent with the email skill online in Manila; queued"),
    ({"all_clients": False}, "no agent online in Manila serves this client; queued"),
])
def test_ineligible_agents_are_skipped_with_the_reason_recorded(client, manila, mismatch, reason):
    _, key = make_client("acme")
    _online(make_agent("ana@x.test", region_slug="manila", languages=["en", "pt"]), **mismatch)
    ticket = _ticket(client, key, channel="email", language="pt")
    decision = _route(ticket.id)
    assert decision.agent_id is None and decision.reason == reason
    (queued,) = _events(ticket.id, "ticket.queued")
    assert queued.data["reason"] == reason


def test_capacity_is_never_exceeded_and_pending_frees_a_slot(client, manila, queue):
    _, key = make_client("acme")
    ana = _online(make_agent("ana@x.test", region_slug="manila", name="Ana"), capacity={"email": 2})
    tickets = [_ticket(client, key, channel="email") for _ in range(3)]
    decisions = [_route(t.id) for t in tickets]
    assert [d.agent_id for d in decisions] == [ana.id, ana.id, None]
    assert decisions[2].reason == "no agent with a free email slot in Manila; queued"
    # Ana puts one ticket on pending (waiting for the customer): the queue is drained into her free slot.
    response = client.patch(f"/api/v1/tickets/{tickets[0].id}", json={"status": "pending"}, headers=auth(key))
    assert response.status_code == 200
    queue.run()
    db.session.expire_all()
    assert db.session.get(Ticket, tickets[2].id).assignee_id == ana.id


def test_queue_order_is_priority_then_due_time(client, manila):
    _, key = make_client("acme")
    low = _ticket(client, key, priority="low")
    urgent = _ticket(client, key, priority="urgent")
    normal_late = _ticket(client, key, priority="normal")
    normal_soon = _ticket(client, key, priority="normal")
    now = utcnow()
    for ticket, due in ((normal_late, now + timedelta(hours=5)), (normal_soon, now + timedelta(hours=1))):
        db.session.execute(db.update(Ticket).where(Ticket.id == ticket.id).values(first_response_due_at=due))
    db.session.commit()
    assert assignment.waiting_tickets(manila.id) == [urgent.id, normal_soon.id, normal_late.id, low.id]


def test_agent_coming_online_takes_waiting_tickets(client, manila, queue, redis):
    _, key = make_client("acme")
    ana = make_agent("ana@x.test", region_slug="manila", name="Ana")
    waiting = [_ticket(client, key) for _ in range(2)]
    queue.run()  # routing jobs run: nobody online, both queued
    assert all(db.session.get(Ticket, t.id).assignee_id is None for t in waiting)
    presence.set_state(ana.id, "online")
    queue.run()  # the drain requested by coming online
    db.session.expire_all()
    assert [db.session.get(Ticket, t.id).assignee_id for t in waiting] == [ana.id, ana.id]
    assert len(_events(waiting[0].id, "ticket.queued")) == 1   # the drain adds no noise for tickets it cannot place


def test_routing_twice_is_harmless(client, manila):
    _, key = make_client("acme")
    _online(make_agent("ana@x.test", region_slug="manila"))
    ticket = _ticket(client, key)
    assert _route(ticket.id).agent_id is not None
    assert _route(ticket.id) is None                   # already assigned: nothing to do
    assert len(_events(ticket.id, "ticket.assigned")) == 1


def test_client_limited_to_a_region_is_never_routed_elsewhere(client):
    manila = make_region("manila", order=1)
    make_region("warsaw", order=2)
    _, key = make_client("acme", region_slugs=["warsaw"])
    _online(make_agent("ana@x.test", region_slug="manila"))
    ticket = _ticket(client, key)
    decision = _route(ticket.id)
    assert decision.agent_id is None and decision.region_id != manila.id


def test_region_off_shift_is_said_in_the_reason(client):
    make_region("manila", hours=ALL_DAYS_CLOSED, around_the_clock=False)
    _, key = make_client("acme")
    ticket = _ticket(client, key)
    decision = _route(ticket.id)
    assert decision.reason == "no agent online in Manila; queued (Manila is off shift)"


def test_first_region_on_shift_in_chain_order(client):
    make_region("manila", hours=ALL_DAYS_CLOSED, around_the_clock=False, order=1)
    warsaw = make_region("warsaw", order=2)
    make_region("bogota", order=3)
    _, key = make_client("acme")
    assert _ticket(client, key).region_id == warsaw.id


def test_take_next_and_supervisor_moves(client, manila):
    warsaw = make_region("warsaw", order=2)
    _, key = make_client("acme")
    ana = make_agent("ana@x.test", region_slug="manila", name="Ana")
    lead = make_agent("lead@x.test", role="supervisor", region_slug="manila")
    low, high = _ticket(client, key, priority="low"), _ticket(client, key, priority="high")
    taken = assignment.take_next(ana.id)
    assert taken.id == high.id and taken.assignee_id == ana.id
    moved = assignment.move_to_region(low.id, warsaw.id, Actor("agent", lead.id), note="Polish speaker needed")
    assert moved.region_id == warsaw.id
    (event,) = _events(low.id, "ticket.moved")
    assert event.data["reason"] == "Polish speaker needed" and event.data["from_region_id"] == manila.id
    back = assignment.reassign(high.id, None, Actor("agent", lead.id))
    assert back.assignee_id is None


def test_missing_language_is_detected_among_the_contract_languages(client, manila):
    _, key = make_client("acme", languages=["en", "es", "pl"])
    _online(make_agent("ana@x.test", region_slug="manila", name="Ana", languages=["en"]))
    sofia = _online(make_agent("sofia@x.test", region_slug="manila", name="Sofia", languages=["es", "en"]))
    ticket = _ticket(client, key, subject="Pedido retrasado",
                     body="Hola, mi pedido no ha llegado todavía y necesito ayuda, por favor.")
    assert ticket.language is None
    decision = _route(ticket.id)
    assert decision.agent_id == sofia.id
    assert decision.reason.startswith("language es detected; assigned to Sofia")
    assert db.session.get(Ticket, ticket.id).language == "es"
