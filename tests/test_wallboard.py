"""Wallboard figures kept from the event stream: correct, idempotent, scoped, and equal to a rebuild."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.extensions import db
from helpdesk.models import Agent, Client, Event, SlaPolicy, Ticket, utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import assignment, presence
from helpdesk.sla import clock as sla_clock
from helpdesk.supervision import wallboard
from tests.factories import auth, csrf_token, make_agent, make_client, make_region
from workers.queues import REALTIME_QUEUE

EVERYONE = TenantScope(None, all_clients=True)


@pytest.fixture
def floor(client, redis):
    """One region open around the clock, two clients, one agent online."""
    region = make_region("manila", tz="Asia/Manila", order=1)
    acme_id, acme_key = make_client("acme")
    bolt_id, bolt_key = make_client("bolt")
    db.session.add(SlaPolicy(client_id=acme_id, priority="normal", first_response_minutes=60,
                             resolution_minutes=600, business_hours=False, warning_percent=50))
    db.session.commit()
    agent = make_agent("ana@x.test", region_slug="manila", name="Ana")
    presence.set_state(agent.id, "online")
    return {"region": region, "acme": (acme_id, acme_key), "bolt": (bolt_id, bolt_key), "agent": agent.id}


def _ticket(client, key, **body) -> int:
    response = client.post("/api/v1/tickets", json={"subject": "Help", "channel": "email", **body},
                           headers=auth(key))
    assert response.status_code == 201, response.json
    return response.json["id"]


def _publish(queue) -> None:
    queue.run(REALTIME_QUEUE)  # the publish jobs fold each event into the board


def _row(board: dict, client_id: int) -> dict:
    (row,) = [r for r in board["queues"] if r["client_id"] == client_id]
    return row


def _agent(board: dict, agent_id: int) -> dict:
    (row,) = [a for a in board["agents"] if a["id"] == agent_id]
    return row


def _comparable(board: dict) -> dict:
    """The board without what moves with the clock."""
    queues = sorted(({k: v for k, v in row.items() if k != "oldest_waiting_seconds"} for row in board["queues"]),
                    key=lambda r: (r["region_id"] or 0, r["client_id"]))
    agents = sorted(({k: v for k, v in row.items() if k != "presence_seconds"} for row in board["agents"]),
                    key=lambda a: a["id"])
    return {"queues": [r for r in queues if r["open"] or r["incoming_15m"] or r["handled_today"]], "agents": agents}


def test_events_move_the_figures(client, floor, queue):
    acme_id, acme_key = floor["acme"]
    bolt_id, bolt_key = floor["bolt"]
    agent_id = floor["agent"]
    first, second = _ticket(client, acme_key), _ticket(client, acme_key)
    _ticket(client, bolt_key)
    _publish(queue)
    board = wallboard.snapshot(EVERYONE)
    assert _row(board, acme_id) | {"oldest_waiting_seconds": 0} == {
        "region_id": floor["region"].id, "client_id": acme_id, "open": 2, "waiting": 2, "at_risk": 0,
        "breached": 0, "oldest_waiting_seconds": 0, "incoming_15m": 2, "handled_today": 0}
    assert _row(board, bolt_id)["waiting"] == 1

    assignment.route_ticket(first)
    _publish(queue)
    board = wallboard.snapshot(EVERYONE)
    assert (_row(board, acme_id)["open"], _row(board, acme_id)["waiting"]) == (2, 1)
    assert _agent(board, agent_id)["load"] == {"email": 1}

    client.patch(f"/api/v1/tickets/{first}", json={"status": "solved"}, headers=auth(acme_key))
    _publish(queue)
    board = wallboard.snapshot(EVERYONE)
    assert _row(board, acme_id)["open"] == 1 and _row(board, acme_id)["handled_today"] == 1
    assert _agent(board, agent_id)["load"] == {} and _agent(board, agent_id)["handled_today"] == 1
    assert board["regions"][0]["name"] == "Manila" and "on_shift" in board["regions"][0]
    assert second  # still waiting
    assert _comparable(board) == _comparable(_rebuilt())


def _rebuilt() -> dict:
    wallboard.rebuild()
    return wallboard.snapshot(EVERYONE)


def test_sla_warning_and_breach_are_counted_until_met_or_solved(client, floor, queue):
    acme_id, acme_key = floor["acme"]
    ticket_id = _ticket(client, acme_key)
    ticket = db.session.get(Ticket, ticket_id)
    ticket.created_at = utcnow() - timedelta(minutes=40)  # past the 50 % warning of a 60-minute target
    sla_clock.start(ticket)
    db.session.commit()
    sla_clock.check(ticket_id)
    _publish(queue)
    row = _row(wallboard.snapshot(EVERYONE), acme_id)
    assert (row["at_risk"], row["breached"]) == (1, 0)

    sla_clock.check(ticket_id, utcnow() + timedelta(minutes=30))  # first response now overdue
    _publish(queue)
    row = _row(wallboard.snapshot(EVERYONE), acme_id)
    assert (row["at_risk"], row["breached"]) == (0, 1)
    # A rebuild reads the same from the ticket's alerts (the back-dated creation leaves the 15-minute window).
    row = _row(_rebuilt(), acme_id)
    assert (row["at_risk"], row["breached"], row["incoming_15m"]) == (0, 1, 0)


def test_an_event_applied_twice_or_late_changes_nothing(client, floor, queue):
    acme_id, acme_key = floor["acme"]
    ticket_id = _ticket(client, acme_key)
    _publish(queue)
    assignment.route_ticket(ticket_id)
    _publish(queue)
    before = wallboard.snapshot(EVERYONE)
    created, assigned = db.session.scalars(db.select(Event).where(Event.ticket_id == ticket_id,
                                                                  Event.type.in_(("ticket.created",
                                                                                  "ticket.assigned")))
                                           .order_by(Event.seq)).all()
    assert wallboard.apply(assigned) is False  # again
    assert wallboard.apply(created) is False   # older than what is known
    assert _comparable(wallboard.snapshot(EVERYONE)) == _comparable(before)


def test_a_client_dedicated_supervisor_sees_only_their_clients(client, floor, queue):
    acme_id, acme_key = floor["acme"]
    bolt_id, bolt_key = floor["bolt"]
    _ticket(client, acme_key)
    _ticket(client, bolt_key)
    _publish(queue)
    board = wallboard.snapshot(TenantScope([bolt_id]))
    assert [row["client_id"] for row in board["queues"]] == [bolt_id]


def test_rebuild_restores_figures_lost_while_redis_forgot_them(client, floor, queue, redis):
    acme_id, acme_key = floor["acme"]
    for _ in range(3):
        _ticket(client, acme_key)
    _publish(queue)
    expected = _comparable(wallboard.snapshot(EVERYONE))
    for key in redis.scan_iter(match="wb:*"):
        redis.delete(key)
    assert wallboard.snapshot(EVERYONE)["queues"] == []
    assert wallboard.rebuild() == 3
    assert _comparable(wallboard.snapshot(EVERYONE)) == expected
    # Events already reflected by the rebuild are not counted a second time.
    for event in db.session.scalars(db.select(Event).order_by(Event.seq)):
        wallboard.apply(event)
    assert _comparable(wallboard.snapshot(EVERYONE)) == expected


def test_moving_a_ticket_to_another_region_moves_its_figures(client, floor, queue):
    acme_id, acme_key = floor["acme"]
    warsaw = make_region("warsaw", tz="Europe/Warsaw", order=2)
    ticket_id = _ticket(client, acme_key)
    _publish(queue)
    supervisor = make_agent("lead@x.test", role="supervisor")
    assignment.move_to_region(ticket_id, warsaw.id, Actor("agent", supervisor.id))
    _publish(queue)
    rows = {row["region_id"]: row for row in wallboard.snapshot(EVERYONE)["queues"] if row["client_id"] == acme_id}
    assert rows[warsaw.id]["waiting"] == 1 and rows[floor["region"].id]["waiting"] == 0
    assert db.session.get(Agent, floor["agent"]).presence == "online"


def test_boards_are_pushed_only_when_changed_and_at_most_twice_a_second(client, floor, queue, redis, monkeypatch):
    acme_id, acme_key = floor["acme"]
    bolt_id, _ = floor["bolt"]
    dedicated = make_agent("lead@x.test", role="supervisor", all_clients=False)
    dedicated.clients = [db.session.get(Client, bolt_id)]
    db.session.commit()
    presence.set_state(dedicated.id, "online")
    _ticket(client, acme_key)
    _publish(queue)

    boards = dict(wallboard.boards_to_push())
    assert set(boards) == {None, dedicated.id}
    assert [row["client_id"] for row in boards[None]["queues"]] == [acme_id]
    assert boards[dedicated.id]["queues"] == [] and boards[dedicated.id]["clients"] == {}
    assert wallboard.boards_to_push() == []          # within the interval: another node's turn
    redis.delete("wb:push-lock")
    assert wallboard.boards_to_push() == []          # nothing changed since the last push
    _ticket(client, acme_key)
    _publish(queue)
    redis.delete("wb:push-lock")
    (everyone, board), *_ = wallboard.boards_to_push()
    assert everyone is None and _row(board, acme_id)["waiting"] == 2


def test_an_agents_own_presence_change_pushes_the_board(client, floor, queue, redis, login):
    agent_id = floor["agent"]
    _ticket(client, floor["acme"][1])
    _publish(queue)
    assert wallboard.boards_to_push()              # the first board goes out
    redis.delete("wb:push-lock")
    assert wallboard.boards_to_push() == []        # nothing new
    login("ana@x.test")
    token = csrf_token(client.get("/agent").get_data(as_text=True))
    answer = client.post("/agent/api/presence", json={"state": "away"}, headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_json()
    redis.delete("wb:push-lock")
    (_, board), *_ = wallboard.boards_to_push()    # no ticket event, yet the board is pushed again
    shown = next(row for row in board["agents"] if row["id"] == agent_id)
    assert shown["presence"] == "away"


def test_wallboard_page_is_for_supervisors_and_shows_names_as_text(client, floor, queue, login):
    acme_id, acme_key = floor["acme"]
    db.session.get(Client, acme_id).name = "<script>alert(1)</script> Acme"
    db.session.commit()
    _ticket(client, acme_key)
    _publish(queue)
    make_agent("agent2@x.test")
    login("agent2@x.test")
    assert client.get("/supervisor").status_code == 403
    client.post("/logout", data={"csrf_token": _csrf(client)})
    make_agent("lead@x.test", role="supervisor")
    login("lead@x.test")
    page = client.get("/supervisor?tv=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="wallboard tv"' in html
    assert "<script>alert(1)</script>" not in html and "\\u003cscript\\u003ealert(1)" in html
    assert '"waiting":1' in html.replace(" ", "")


def _csrf(client) -> str:
    return csrf_token(client.get("/agent").get_data(as_text=True))
