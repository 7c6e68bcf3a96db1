"""Follow the sun: at shift end a region's work moves to the next region on shift; the SLA clock runs on."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.extensions import db
from helpdesk.models import Event, Outbox, Region, Ticket, utcnow
from helpdesk.routing import handoff
from helpdesk.tickets.followups import DRAIN_TASK
from tests.factories import auth, make_agent, make_client, make_region

CLOSED: dict = {}


def _regions(manila_policy: str = "keep"):
    manila = make_region("manila", hours=CLOSED, around_the_clock=False, order=1)   # off shift now
    warsaw = make_region("warsaw", order=2)
    bogota = make_region("bogota", order=3)
    manila.handoff_policy = manila_policy
    db.session.commit()
    return manila, warsaw, bogota


def _ticket_in(client, key, region: Region, assignee_id: int | None = None) -> Ticket:
    ticket_id = client.post("/api/v1/tickets", json={"subject": "Help"}, headers=auth(key)).json["id"]
    due = utcnow() + timedelta(hours=2)
    db.session.execute(db.update(Ticket).where(Ticket.id == ticket_id).values(
        region_id=region.id, assignee_id=assignee_id, status="open", first_response_due_at=due))
    db.session.commit()
    return db.session.get(Ticket, ticket_id)


def _moves(ticket_id: int) -> list[Event]:
    return list(db.session.scalars(db.select(Event).where(Event.ticket_id == ticket_id,
                                                          Event.type == "ticket.moved")))


def test_waiting_tickets_move_to_the_next_region_on_shift_with_a_note(client):
    manila, warsaw, _ = _regions()
    _, key = make_client("acme")
    ticket = _ticket_in(client, key, manila)
    due = ticket.first_response_due_at
    assert handoff.run()["moved"] == 1
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.region_id == warsaw.id
    assert ticket.first_response_due_at == due                        # the SLA clock does not restart
    (move,) = _moves(ticket.id)
    assert move.data["reason"] == "shift ended in Manila; handed off to Warsaw"
    assert move.data["from_region_id"] == manila.id
    assert handoff.run()["moved"] == 0                                # idempotent


def test_agents_open_tickets_follow_the_region_policy(client):
    manila, warsaw, _ = _regions(manila_policy="keep")
    _, key = make_client("acme")
    ana = make_agent("ana@x.test", region_slug="manila")
    kept = _ticket_in(client, key, manila, assignee_id=ana.id)
    handoff.run()
    db.session.expire_all()
    assert db.session.get(Ticket, kept.id).assignee_id == ana.id      # "keep": stays with Ana

    manila.handoff_policy = "handoff"
    db.session.commit()
    handoff.run()
    db.session.expire_all()
    moved = db.session.get(Ticket, kept.id)
    assert moved.assignee_id is None and moved.region_id == warsaw.id
    assert "moves with the shift" in _moves(kept.id)[0].data["reason"]


def test_handoff_respects_the_clients_allowed_regions(client):
    manila, _, bogota = _regions()
    _, key = make_client("acme", region_slugs=["manila", "bogota"])    # data residency: never Warsaw
    ticket = _ticket_in(client, key, manila)
    handoff.run()
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).region_id == bogota.id


def test_nobody_on_shift_means_the_ticket_waits(client):
    manila = make_region("manila", hours=CLOSED, around_the_clock=False, order=1)
    make_region("warsaw", hours=CLOSED, around_the_clock=False, order=2)
    _, key = make_client("acme")
    ticket = _ticket_in(client, key, manila)
    assert handoff.run()["moved"] == 0
    assert db.session.get(Ticket, ticket.id).region_id == manila.id


def test_regions_on_shift_have_their_queue_offered_again(client):
    _regions()
    handoff.run()
    drains = db.session.scalars(db.select(Outbox).where(Outbox.task == DRAIN_TASK)).all()
    assert sorted(row.payload["region_id"] for row in drains) == sorted(
        r.id for r in db.session.scalars(db.select(Region).where(Region.slug.in_(("warsaw", "bogota")))))
