"""Wallboard actions over HTTP (/supervisor/api): reassign, move, priority, set away, the queue
drill-down; each changes the ticket or agent, the board's figures after the publish jobs, and
reaches the agents' sockets; dedicated supervisors stay within their clients; agents get 403."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from helpdesk.extensions import db
from helpdesk.models import Agent, Client, PresenceLog, SlaPolicy, Ticket, utcnow
from helpdesk.platform.tenancy import TenantScope
from helpdesk.sla import clock as sla_clock
from helpdesk.supervision import wallboard
from tests.factories import auth, make_agent, make_client, make_region
from workers.queues import REALTIME_QUEUE

EVERYONE = TenantScope(None, all_clients=True)
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def app_config():
    return {"SOCKETIO_MESSAGE_QUEUE": False}  # the in-process socket test clients


class Staff:
    """A signed-in browser with the CSRF token its wallboard page carries."""

    def __init__(self, browser, token: str) -> None:
        self.browser, self.token = browser, token

    def post(self, path: str, body=None, token: str | None = None):
        return self.browser.post(f"/supervisor/api{path}", json=body if body is not None else {},
                                 headers={"X-CSRFToken": self.token if token is None else token})

    def get(self, path: str):
        return self.browser.get(f"/supervisor/api{path}")


@pytest.fixture
def sign_in(app, login):
    def do_sign_in(email: str) -> Staff:
        browser = app.test_client()
        login(email, test_client=browser)
        page = browser.get("/agent")
        assert page.status_code == 200
        return Staff(browser, META_CSRF.search(page.get_data(as_text=True)).group(1))

    return do_sign_in


@pytest.fixture
def floor(client, redis):
    """Manila and Bogota serve acme; Tokyo exists but acme's contract does not allow it.
    Ana (Manila), Bea (Bogota), Carl (Tokyo) serve everyone; Dan (Manila) serves bolt only."""
    manila = make_region("manila", tz="Asia/Manila", order=1)
    bogota = make_region("bogota", tz="America/Bogota", order=2)
    tokyo = make_region("tokyo", tz="Asia/Tokyo", order=3)
    acme_id, acme_key = make_client("acme", region_slugs=["manila", "bogota"])
    bolt_id, bolt_key = make_client("bolt")
    people = {
        "ana": make_agent("ana@x.test", region_slug="manila", name="Ana"),
        "bea": make_agent("bea@x.test", region_slug="bogota", name="Bea"),
        "carl": make_agent("carl@x.test", region_slug="tokyo", name="Carl"),
        "dan": make_agent("dan@x.test", region_slug="manila", name="Dan", all_clients=False, client_slugs=["bolt"]),
        "lead": make_agent("lead@x.test", role="supervisor", name="Lead"),
        "acme_lead": make_agent("acme.lead@x.test", role="supervisor", name="Acme lead", all_clients=False,
                                client_slugs=["acme"]),
    }
    return {"manila": manila.id, "bogota": bogota.id, "tokyo": tokyo.id, "acme": (acme_id, acme_key),
            "bolt": (bolt_id, bolt_key), **{name: agent.id for name, agent in people.items()}}


def _ticket(client, key, **body) -> int:
    response = client.post("/api/v1/tickets", json={"subject": "Help", **body}, headers=auth(key))
    assert response.status_code == 201, response.json
    return response.json["id"]


def _fresh(ticket_id: int) -> Ticket:
    db.session.remove()
    return db.session.get(Ticket, ticket_id)


def _board(queue, scope: TenantScope = EVERYONE) -> dict:
    queue.run(REALTIME_QUEUE)  # the publish jobs fold the events into the board and push them
    return wallboard.snapshot(scope)


def _pair(board: dict, region_id: int, client_id: int) -> dict:
    rows = [r for r in board["queues"] if r["region_id"] == region_id and r["client_id"] == client_id]
    return rows[0] if rows else {"open": 0, "waiting": 0}


def _agent(board: dict, agent_id: int) -> dict:
    (row,) = [a for a in board["agents"] if a["id"] == agent_id]
    return row


def _events(sio, kind: str | None = None) -> list[dict]:
    got = [m["args"][0] for m in sio.get_received("/agent") if m["name"] == "event"]
    return [e for e in got if kind is None or e["type"] == kind]


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.json["error"]["code"] == code and response.json["error"]["message"], response.json
    return response.json["error"]


def _socket(app, login, socketio_client, email: str):
    browser = app.test_client()
    login(email, test_client=browser)
    sio = socketio_client(browser)
    sio.get_received("/agent")  # the hello
    return sio


# --- reassign --------------------------------------------------------------------------------------------

def test_reassign_moves_the_ticket_between_agents_and_their_sockets(app, client, floor, sign_in, login,
                                                                   socketio_client, queue):
    acme_id, acme_key = floor["acme"]
    ana_socket = _socket(app, login, socketio_client, "ana@x.test")
    bea_socket = _socket(app, login, socketio_client, "bea@x.test")
    ticket_id = _ticket(client, acme_key)
    board = _board(queue)
    assert (_pair(board, floor["manila"], acme_id)["waiting"], _pair(board, floor["manila"], acme_id)["open"]) == (1, 1)
    lead = sign_in("lead@x.test")

    response = lead.post(f"/tickets/{ticket_id}/reassign", {"agent_id": floor["ana"]})
    assert response.status_code == 200, response.json
    assert response.json["changed"] is True
    assert response.json["ticket"] | {"next_due_at": None} == {
        "id": ticket_id, "reference": _fresh(ticket_id).reference, "client_id": acme_id, "subject": "Help",
        "status": _fresh(ticket_id).status, "priority": "normal", "channel": "api",
        "language": None, "region_id": floor["manila"], "assignee_id": floor["ana"], "assignee_name": "Ana",
        "waiting_seconds": None, "next_due_at": None, "sla": None}
    assert _fresh(ticket_id).assignee_id == floor["ana"]
    board = _board(queue)
    assert (_pair(board, floor["manila"], acme_id)["waiting"], _pair(board, floor["manila"], acme_id)["open"]) == (0, 1)
    assert _agent(board, floor["ana"])["load"] == {"api": 1}
    (event,) = _events(ana_socket, "ticket.reassigned")
    assert event["ticket_id"] == ticket_id and event["data"]["agent_id"] == floor["ana"]
    assert event["actor"] == {"type": "agent", "id": floor["lead"]}
    _events(bea_socket)  # Bea heard nothing of it (another region); drop what she got

    # To Bea in Bogota: the ticket follows her region; Ana is told it left her.
    response = lead.post(f"/tickets/{ticket_id}/reassign", {"agent_id": floor["bea"]})
    assert response.status_code == 200 and response.json["ticket"]["region_id"] == floor["bogota"]
    board = _board(queue)
    assert _pair(board, floor["manila"], acme_id)["open"] == 0 and _pair(board, floor["bogota"], acme_id)["open"] == 1
    assert _agent(board, floor["ana"])["load"] == {} and _agent(board, floor["bea"])["load"] == {"api": 1}
    (gone,) = _events(ana_socket, "ticket.reassigned")
    assert gone["data"]["from_agent_id"] == floor["ana"] and gone["data"]["agent_id"] == floor["bea"]
    (came,) = _events(bea_socket, "ticket.reassigned")
    assert came["seq"] == gone["seq"]
    mine = sign_in("ana@x.test").browser.get("/agent/api/inbox?view=mine")
    assert mine.status_code == 200 and mine.json["tickets"] == []

    # The ticket's next event reaches its new agent only.
    assert lead.post(f"/tickets/{ticket_id}/priority", {"priority": "high"}).status_code == 200
    queue.run(REALTIME_QUEUE)
    assert [e["data"]["changes"] for e in _events(bea_socket, "ticket.updated")] == [{"priority": ["normal", "high"]}]
    assert _events(ana_socket) == []

    # Giving it to its current agent changes nothing; null gives it back to its queue.
    same = lead.post(f"/tickets/{ticket_id}/reassign", {"agent_id": floor["bea"]})
    assert same.status_code == 200 and same.json["changed"] is False
    back = lead.post(f"/tickets/{ticket_id}/reassign", {"agent_id": None})
    assert back.status_code == 200 and back.json["ticket"]["assignee_id"] is None
    board = _board(queue)
    assert _pair(board, floor["bogota"], acme_id)["waiting"] == 1 and _agent(board, floor["bea"])["load"] == {}


def test_reassign_refuses_agents_who_cannot_take_the_ticket(client, floor, sign_in, queue):
    _, acme_key = floor["acme"]
    ticket_id = _ticket(client, acme_key)
    lead = sign_in("lead@x.test")
    options = lead.get(f"/tickets/{ticket_id}/options")
    assert options.status_code == 200
    # Carl's region is outside acme's contract, Dan serves bolt only, supervisors are not agents.
    assert [a["name"] for a in options.json["agents"]] == ["Ana", "Bea"]
    assert [r["id"] for r in options.json["regions"]] == [floor["manila"], floor["bogota"]]
    assert options.json["priorities"] == ["low", "normal", "high", "urgent"]
    for who in ("carl", "dan", "acme_lead"):
        error = _error(lead.post(f"/tickets/{ticket_id}/reassign", {"agent_id": floor[who]}), 400, "bad_request")
        assert "agent_id" in error["details"]
    _error(lead.post(f"/tickets/{ticket_id}/reassign", {"agent_id": 999999}), 400, "bad_request")
    db.session.execute(db.update(Agent).where(Agent.id == floor["ana"]).values(active=False))
    db.session.commit()
    _error(lead.post(f"/tickets/{ticket_id}/reassign", {"agent_id": floor["ana"]}), 400, "bad_request")
    assert _fresh(ticket_id).assignee_id is None
    assert _board(queue)["queues"][0]["waiting"] == 1


# --- move ------------------------------------------------------------------------------------------------

def test_move_takes_the_ticket_to_another_allowed_region(app, client, floor, sign_in, login, socketio_client,
                                                         queue):
    acme_id, acme_key = floor["acme"]
    bea_socket = _socket(app, login, socketio_client, "bea@x.test")
    ticket_id = _ticket(client, acme_key)
    lead = sign_in("lead@x.test")
    assert lead.post(f"/tickets/{ticket_id}/reassign", {"agent_id": floor["ana"]}).status_code == 200
    board = _board(queue)
    assert _agent(board, floor["ana"])["load"] == {"api": 1}
    _events(bea_socket)

    response = lead.post(f"/tickets/{ticket_id}/move", {"region_id": floor["bogota"], "note": "Spanish speaker"})
    assert response.status_code == 200, response.json
    assert response.json["changed"] is True
    assert (response.json["ticket"]["region_id"], response.json["ticket"]["assignee_id"]) == (floor["bogota"], None)
    ticket = _fresh(ticket_id)
    assert (ticket.region_id, ticket.assignee_id) == (floor["bogota"], None)
    board = _board(queue)
    assert (_pair(board, floor["manila"], acme_id)["open"], _pair(board, floor["manila"], acme_id)["waiting"]) == (0, 0)
    assert (_pair(board, floor["bogota"], acme_id)["open"], _pair(board, floor["bogota"], acme_id)["waiting"]) == (1, 1)
    assert _agent(board, floor["ana"])["load"] == {}
    (moved,) = _events(bea_socket, "ticket.moved")  # Bogota's queue hears of its new ticket
    assert moved["data"]["reason"] == "Spanish speaker" and moved["data"]["from_region_id"] == floor["manila"]

    again = lead.post(f"/tickets/{ticket_id}/move", {"region_id": floor["bogota"]})
    assert again.status_code == 200 and again.json["changed"] is False
    error = _error(lead.post(f"/tickets/{ticket_id}/move", {"region_id": floor["tokyo"]}), 400, "bad_request")
    assert "contract" in error["message"] and "region_id" in error["details"]
    _error(lead.post(f"/tickets/{ticket_id}/move", {"region_id": 999999}), 400, "bad_request")
    _error(lead.post(f"/tickets/{ticket_id}/move", {"region_id": "2"}), 400, "bad_request")
    _error(lead.post(f"/tickets/{ticket_id}/move", {}), 400, "bad_request")
    assert _fresh(ticket_id).region_id == floor["bogota"]


# --- priority --------------------------------------------------------------------------------------------

def test_priority_change_restarts_the_sla_targets(client, floor, sign_in, queue):
    acme_id, acme_key = floor["acme"]
    for priority, minutes in (("normal", 60), ("urgent", 15)):
        db.session.add(SlaPolicy(client_id=acme_id, priority=priority, first_response_minutes=minutes,
                                 resolution_minutes=minutes * 10, business_hours=False, warning_percent=50))
    db.session.commit()
    ticket_id = _ticket(client, acme_key)
    created = _fresh(ticket_id).created_at
    assert _fresh(ticket_id).first_response_due_at == created + timedelta(minutes=60)
    _board(queue)
    before = wallboard.version()
    lead = sign_in("lead@x.test")

    response = lead.post(f"/tickets/{ticket_id}/priority", {"priority": "urgent"})
    assert response.status_code == 200, response.json
    assert response.json["ticket"]["priority"] == "urgent" and response.json["changed"] is True
    ticket = _fresh(ticket_id)
    assert ticket.priority == "urgent"
    assert ticket.first_response_due_at == created + timedelta(minutes=15)
    assert ticket.resolution_due_at == created + timedelta(minutes=150)
    _board(queue)
    assert wallboard.version() > before  # the board is pushed again
    drill = lead.get(f"/queue?client_id={acme_id}&region_id={floor['manila']}")
    assert [(t["id"], t["priority"]) for t in drill.json["waiting"]] == [(ticket_id, "urgent")]

    same = lead.post(f"/tickets/{ticket_id}/priority", {"priority": "urgent"})
    assert same.status_code == 200 and same.json["changed"] is False
    error = _error(lead.post(f"/tickets/{ticket_id}/priority", {"priority": "asap"}), 400, "bad_request")
    assert error["message"].startswith("priority:")
    _error(lead.post(f"/tickets/{ticket_id}/priority", {"priority": "low", "why": "x"}), 400, "bad_request")
    db.session.execute(db.update(Ticket).where(Ticket.id == ticket_id).values(status="closed"))
    db.session.commit()
    _error(lead.post(f"/tickets/{ticket_id}/priority", {"priority": "low"}), 409, "conflict")
    assert _fresh(ticket_id).priority == "urgent"


# --- set away --------------------------------------------------------------------------------------------

def test_set_away_reaches_the_agent_and_the_board(app, client, floor, sign_in, login, socketio_client, queue):
    ana_socket = _socket(app, login, socketio_client, "ana@x.test")  # her socket brings her online
    assert db.session.get(Agent, floor["ana"]).presence == "online"
    lead = sign_in("lead@x.test")
    before = wallboard.version()

    response = lead.post(f"/agents/{floor['ana']}/presence", {"state": "away"})
    assert response.status_code == 200, response.json
    assert response.json["changed"] is True
    assert {k: response.json["agent"][k] for k in ("id", "name", "presence")} == {
        "id": floor["ana"], "name": "Ana", "presence": "away"}
    db.session.remove()
    assert db.session.get(Agent, floor["ana"]).presence == "away"
    log = db.session.scalars(db.select(PresenceLog).where(PresenceLog.agent_id == floor["ana"])
                             .order_by(PresenceLog.id)).all()
    assert [row.state for row in log] == ["online", "away"] and log[0].ended_at is not None
    assert wallboard.version() == before + 1
    assert _agent(wallboard.snapshot(EVERYONE), floor["ana"])["presence"] == "away"
    told = [m["args"][0] for m in ana_socket.get_received("/agent") if m["name"] == "presence"]
    assert [(m["agent_id"], m["state"], m["by_agent_id"]) for m in told] == [(floor["ana"], "away", floor["lead"])]

    again = lead.post(f"/agents/{floor['ana']}/presence", {"state": "away"})
    assert again.status_code == 200 and again.json["changed"] is False
    _error(lead.post(f"/agents/{floor['bea']}/presence", {"state": "away"}), 409, "conflict")  # offline
    _error(lead.post(f"/agents/{floor['ana']}/presence", {"state": "online"}), 400, "bad_request")
    _error(lead.post(f"/agents/{floor['lead']}/presence", {"state": "away"}), 404, "not_found")  # not an agent
    _error(lead.post("/agents/999999/presence", {"state": "away"}), 404, "not_found")


# --- the drill-down --------------------------------------------------------------------------------------

def test_queue_drill_down_lists_the_oldest_waiting_and_those_at_risk(client, floor, sign_in, queue):
    acme_id, acme_key = floor["acme"]
    db.session.add(SlaPolicy(client_id=acme_id, priority="normal", first_response_minutes=60,
                             resolution_minutes=600, business_hours=False, warning_percent=50))
    db.session.commit()
    fresh, warned, late = (_ticket(client, acme_key, subject=s) for s in ("Fresh", "Warned", "Late"))
    now = utcnow()
    for ticket_id, age in ((warned, 40), (late, 90)):  # past the 50 % warning; past the 60-minute target
        ticket = db.session.get(Ticket, ticket_id)
        ticket.created_at = ticket.queued_at = now - timedelta(minutes=age)
        sla_clock.start(ticket)
    db.session.commit()
    for ticket_id in (warned, late):
        sla_clock.check(ticket_id)
    lead = sign_in("lead@x.test")
    assert lead.post(f"/tickets/{fresh}/reassign", {"agent_id": floor["ana"]}).status_code == 200
    board = _board(queue)
    row = _pair(board, floor["manila"], acme_id)
    assert (row["waiting"], row["at_risk"], row["breached"], row["open"]) == (2, 1, 1, 3)

    drill = lead.get(f"/queue?client_id={acme_id}&region_id={floor['manila']}")
    assert drill.status_code == 200, drill.json
    assert [t["subject"] for t in drill.json["waiting"]] == ["Late", "Warned"]  # oldest first; Fresh is Ana's
    assert 90 * 60 - 5 <= drill.json["waiting"][0]["waiting_seconds"] <= 90 * 60 + 60
    assert [(t["subject"], t["sla"]) for t in drill.json["at_risk"]] == [("Late", "breached"), ("Warned", "at_risk")]
    assert drill.json["at_risk"][0]["next_due_at"] is not None
    assert lead.get(f"/queue?client_id={acme_id}&region_id={floor['bogota']}").json["waiting"] == []
    _error(lead.get(f"/queue?client_id={acme_id}&region_id=x"), 400, "bad_request")
    _error(lead.get("/queue"), 400, "bad_request")
    _error(lead.get("/queue?client_id=999999"), 404, "not_found")


# --- scope and roles -------------------------------------------------------------------------------------

def test_a_dedicated_supervisor_acts_only_within_their_clients(app, client, floor, sign_in, login,
                                                              socketio_client, queue):
    acme_id, acme_key = floor["acme"]
    bolt_id, bolt_key = floor["bolt"]
    ana_socket = _socket(app, login, socketio_client, "ana@x.test")
    _socket(app, login, socketio_client, "dan@x.test")
    acme_ticket, bolt_ticket = _ticket(client, acme_key), _ticket(client, bolt_key)
    lead = sign_in("acme.lead@x.test")
    assert wallboard.snapshot(TenantScope.for_agent(db.session.get(Agent, floor["acme_lead"])))["clients"] == {}

    for path, body in ((f"/tickets/{bolt_ticket}/reassign", {"agent_id": floor["ana"]}),
                       (f"/tickets/{bolt_ticket}/move", {"region_id": floor["bogota"]}),
                       (f"/tickets/{bolt_ticket}/priority", {"priority": "urgent"})):
        _error(lead.post(path, body), 404, "not_found")
    _error(lead.get(f"/tickets/{bolt_ticket}/options"), 404, "not_found")
    _error(lead.get(f"/queue?client_id={bolt_id}&region_id={floor['manila']}"), 404, "not_found")
    bolt = _fresh(bolt_ticket)
    assert (bolt.assignee_id, bolt.priority, bolt.region_id) == (None, "normal", floor["manila"])
    # Dan serves bolt only: out of reach. Ana serves every client, acme included: within reach.
    _error(lead.post(f"/agents/{floor['dan']}/presence", {"state": "away"}), 404, "not_found")
    assert db.session.get(Agent, floor["dan"]).presence == "online"
    assert lead.post(f"/agents/{floor['ana']}/presence", {"state": "away"}).status_code == 200

    # Within acme everything works, and the board it gets shows acme only.
    assert lead.post(f"/tickets/{acme_ticket}/reassign", {"agent_id": floor["ana"]}).status_code == 200
    _error(lead.post(f"/tickets/{acme_ticket}/reassign", {"agent_id": floor["dan"]}), 400, "bad_request")
    assert lead.post(f"/tickets/{acme_ticket}/priority", {"priority": "high"}).status_code == 200
    scope = TenantScope.for_agent(db.session.get(Agent, floor["acme_lead"]))
    board = _board(queue, scope)
    assert {r["client_id"] for r in board["queues"]} == {acme_id}
    assert floor["dan"] not in {a["id"] for a in board["agents"]}
    assert _agent(board, floor["ana"])["load"] == {"api": 1}
    assert {e["type"] for e in _events(ana_socket) if e["ticket_id"] == acme_ticket} >= {"ticket.reassigned",
                                                                                         "ticket.updated"}
    assert _fresh(acme_ticket).priority == "high"


def test_agents_are_refused_and_writes_need_the_csrf_token(app, client, floor, sign_in):
    _, acme_key = floor["acme"]
    ticket_id = _ticket(client, acme_key)
    ana = sign_in("ana@x.test")
    for path, body in ((f"/tickets/{ticket_id}/reassign", {"agent_id": floor["ana"]}),
                       (f"/tickets/{ticket_id}/move", {"region_id": floor["bogota"]}),
                       (f"/tickets/{ticket_id}/priority", {"priority": "urgent"}),
                       (f"/agents/{floor['bea']}/presence", {"state": "away"})):
        _error(ana.post(path, body), 403, "forbidden")
    _error(ana.get(f"/tickets/{ticket_id}/options"), 403, "forbidden")
    _error(ana.get(f"/queue?client_id={floor['acme'][0]}"), 403, "forbidden")
    assert ana.browser.get("/supervisor").status_code == 403
    ticket = _fresh(ticket_id)
    assert (ticket.assignee_id, ticket.priority, ticket.region_id) == (None, "normal", floor["manila"])

    _error(app.test_client().get(f"/supervisor/api/tickets/{ticket_id}/options"), 401, "unauthorized")
    lead = sign_in("lead@x.test")
    _error(lead.post(f"/tickets/{ticket_id}/priority", {"priority": "urgent"}, token=""), 400, "bad_request")
    _error(lead.post(f"/tickets/{ticket_id}/priority", {"priority": "urgent"}, token="forged"), 400, "bad_request")
    bad_json = lead.browser.post(f"/supervisor/api/tickets/{ticket_id}/priority", data="{not json",
                                 content_type="application/json", headers={"X-CSRFToken": lead.token})
    _error(bad_json, 400, "bad_request")
    _error(lead.post(f"/tickets/{ticket_id}/priority", ["urgent"]), 400, "bad_request")
    assert _fresh(ticket_id).priority == "normal"
    _error(lead.post("/tickets/999999/priority", {"priority": "urgent"}), 404, "not_found")
    assert db.session.get(Client, floor["acme"][0]) is not None

    make_agent("root@x.test", role="admin", all_clients=False)  # admins act on every client
    admin = sign_in("root@x.test")
    assert admin.post(f"/tickets/{ticket_id}/priority", {"priority": "low"}).json["ticket"]["priority"] == "low"
    assert _fresh(ticket_id).priority == "low"
