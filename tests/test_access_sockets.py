"""Access on Socket.IO /agent: revoked sessions lose their sockets at once, every event re-checks
the session, rooms follow roles and tenants, and a ticket's events stop when access to it ends."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from helpdesk.extensions import db
from helpdesk.models import Agent
from tests.conftest import clear_request_globals
from tests.factories import auth, make_agent, make_client, make_region
from tests.support import wait_for

NS = "/agent"
META_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture
def app_config():
    return {"SOCKETIO_MESSAGE_QUEUE": False}


@pytest.fixture
def browser(app, client, login, socketio_client):
    """Sign an agent in with a browser of their own and open its /agent socket: (browser, socket)."""
    used = []

    def sign_in(agent):
        test_client = client if not used else app.test_client()
        used.append(test_client)
        login(agent.email, test_client=test_client)
        sio = socketio_client(test_client)
        assert sio.is_connected(NS)
        return test_client, sio

    return sign_in


def _emit(sio, name: str, data=None):
    """Send an event and return its answer. Test sockets share the test's app context, so the
    signed-in user Flask-Login cached for the previous socket is dropped first, as a real
    event (own context) would."""
    clear_request_globals()
    return sio.emit(name, data, namespace=NS, callback=True)


def _reload(agent: Agent) -> Agent:
    """The agent again in the current session (socket handlers end the session they share with the test)."""
    return db.session.get(Agent, agent.id)


def _received(sio, name: str) -> list:
    return [m["args"][0] for m in sio.get_received(NS) if m["name"] == name]


def _ticket_events(sio, ticket_id: int) -> list[str]:
    return [e["type"] for e in _received(sio, "event") if e["ticket_id"] == ticket_id]


def _new_ticket(client, key: str, subject: str = "Where is my parcel") -> int:
    response = client.post("/api/v1/tickets", json={"subject": subject, "body": "Order 1234"}, headers=auth(key))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["id"]


def _staff_post(test_client, path: str, body: dict):
    token = META_CSRF.search(test_client.get("/agent").get_data(as_text=True)).group(1)
    return test_client.post(f"/agent/api{path}", json=body, headers={"X-CSRFToken": token})


# --- revoked sessions ----------------------------------------------------------------

def test_logout_everywhere_closes_the_other_browsers_open_socket(app, browser):
    ana = make_agent("ana@helpdesk.test")
    laptop, _ = browser(ana)
    phone, phone_socket = browser(ana)
    token = META_CSRF.search(laptop.get("/agent").get_data(as_text=True)).group(1)

    assert laptop.post("/auth/logout-everywhere", data={"csrf_token": token}).status_code == 302

    wait_for(lambda: not phone_socket.is_connected(NS))
    db.session.expire_all()
    assert phone.get("/agent").headers["Location"].startswith("/login")


def test_deactivating_an_agent_closes_their_sockets_and_refuses_new_ones(app, browser, socketio_client):
    ana = make_agent("ana@helpdesk.test")
    test_client, sio = browser(ana)
    ana = _reload(ana)
    ana.active = False
    db.session.commit()
    wait_for(lambda: not sio.is_connected(NS))
    assert not socketio_client(test_client).is_connected(NS)


def test_every_event_of_a_stale_session_is_refused_and_closes_the_socket(app, browser):
    ana = make_agent("ana@helpdesk.test")
    events = [("heartbeat", None), ("presence", {"state": "away"}), ("resync", {"since": {}}), ("leave_ticket", None),
              ("typing", {"ticket_id": 1, "typing": True}), ("view_ticket", {"ticket_id": 1})]
    for name, data in events:
        _, sio = browser(ana)
        # Revoked behind the ORM's back, so no one closed the socket: the event itself must notice.
        db.session.execute(update(Agent).where(Agent.id == ana.id).values(session_version=Agent.session_version + 1))
        db.session.commit()
        answer = _emit(sio, name, data)
        assert answer is None or answer["error"]["code"] == "unauthorized", name
        assert not sio.is_connected(NS), name
        ana = _reload(ana)


# --- rooms follow roles and tenants ----------------------------------------------------

def test_agents_are_never_in_the_supervisors_room(app, browser):
    ana = make_agent("ana@helpdesk.test")
    lead = make_agent("lead@helpdesk.test", role="supervisor")
    _, agent_socket = browser(ana)
    _, lead_socket = browser(lead)
    agent_socket.get_received(NS)

    _emit(agent_socket, "presence", {"state": "away"})

    # Presence changes go to the supervisors room only.
    assert any(p["agent_id"] == ana.id and p["state"] == "away" for p in _received(lead_socket, "presence"))
    assert _received(agent_socket, "presence") == []


def test_a_regions_queue_reaches_an_agent_only_for_the_clients_they_serve(app, client, browser, queue):
    region = make_region("manila")
    _, acme_key = make_client("acme", region_slugs=[region.slug])
    _, globex_key = make_client("globex", region_slugs=[region.slug])
    ana = make_agent("ana@helpdesk.test", region_slug=region.slug, all_clients=False, client_slugs=["acme"])
    ben = make_agent("ben@helpdesk.test", region_slug=region.slug)          # serves every client
    _, ana_socket = browser(ana)
    _, ben_socket = browser(ben)
    _emit(ana_socket, "presence", {"state": "away"})     # not online: routing leaves both tickets queued
    _emit(ben_socket, "presence", {"state": "away"})

    own, foreign = _new_ticket(client, acme_key, "acme's"), _new_ticket(client, globex_key, "globex's")
    queue.run()

    ben_heard = {e["ticket_id"] for e in _received(ben_socket, "event")}
    ana_heard = {e["ticket_id"] for e in _received(ana_socket, "event")}
    assert ben_heard == {own, foreign}
    assert ana_heard == {own}


def test_an_agent_cannot_view_or_type_on_another_clients_ticket(app, client, browser):
    _, acme_key = make_client("acme")
    _, globex_key = make_client("globex")
    own, foreign = _new_ticket(client, acme_key), _new_ticket(client, globex_key)
    ana = make_agent("ana@helpdesk.test", all_clients=False, client_slugs=["acme"])
    lead = make_agent("lead@helpdesk.test", role="supervisor")
    _, sio = browser(ana)
    _, lead_socket = browser(lead)
    assert _emit(lead_socket, "view_ticket", {"ticket_id": foreign})["ok"]

    for name in ("view_ticket", "typing"):
        answer = _emit(sio, name, {"ticket_id": foreign, "typing": True})
        assert answer["error"]["code"] == "not_found", name          # 404 as for a missing ticket
    assert _emit(sio, "view_ticket", {"ticket_id": "1 or 1=1"})["error"]
    assert _received(lead_socket, "typing") == []
    assert _emit(sio, "view_ticket", {"ticket_id": own}) == {"ok": True, "ticket_id": own}
    assert _emit(sio, "view_ticket", {"ticket_id": str(own)})["ok"]     # as read from a data- attribute


def test_viewers_of_a_ticket_see_each_others_typing_until_they_leave(app, client, browser):
    _, key = make_client("acme")
    first, second = _new_ticket(client, key, "one"), _new_ticket(client, key, "two")
    ana, bea = make_agent("ana@helpdesk.test"), make_agent("bea@helpdesk.test")
    _, ana_socket = browser(ana)
    _, bea_socket = browser(bea)
    _emit(ana_socket, "view_ticket", {"ticket_id": first})

    _emit(bea_socket, "typing", {"ticket_id": first, "typing": True})
    assert [t["ticket_id"] for t in _received(ana_socket, "typing")] == [first]

    _emit(ana_socket, "view_ticket", {"ticket_id": second})   # one ticket at a time
    _emit(bea_socket, "typing", {"ticket_id": first, "typing": True})
    assert _received(ana_socket, "typing") == []


# --- a ticket's events stop when access to it ends -----------------------------------------

def test_an_agent_who_loses_a_client_is_taken_out_of_its_ticket_rooms_at_once(app, client, browser, queue,
                                                                              socketio_client):
    _, key = make_client("acme")
    make_client("globex")
    ticket_id = _new_ticket(client, key)
    ana = make_agent("ana@helpdesk.test", all_clients=False, client_slugs=["acme"])
    test_client, sio = browser(ana)
    assert _emit(sio, "view_ticket", {"ticket_id": ticket_id})["ok"]

    ana = _reload(ana)
    ana.clients = []                                   # an admin takes acme away from her
    db.session.commit()

    wait_for(lambda: not sio.is_connected(NS))
    again = socketio_client(test_client)               # her session is still valid: the page reconnects
    assert again.is_connected(NS)
    assert _emit(again, "view_ticket", {"ticket_id": ticket_id})["error"]
    client.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "Any news?"}, headers=auth(key))
    queue.run()
    assert _ticket_events(again, ticket_id) == []


def test_after_reassignment_the_previous_assignee_gets_no_more_events_of_the_ticket(app, client, browser, queue):
    _, key = make_client("acme")
    ticket_id = _new_ticket(client, key)
    ana, bea = make_agent("ana@helpdesk.test"), make_agent("bea@helpdesk.test")
    lead = make_agent("lead@helpdesk.test", role="supervisor")
    _, ana_socket = browser(ana)
    _, bea_socket = browser(bea)
    lead_browser, _ = browser(lead)
    assert _staff_post(lead_browser, f"/tickets/{ticket_id}/assign", {"agent_id": ana.id}).status_code == 200
    queue.run()
    client.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "Hello?"}, headers=auth(key))
    queue.run()
    assert "message.created" in wait_for(lambda: _ticket_events(ana_socket, ticket_id))

    assert _staff_post(lead_browser, f"/tickets/{ticket_id}/assign", {"agent_id": bea.id}).status_code == 200
    client.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "Anyone?"}, headers=auth(key))
    queue.run()

    assert "message.created" in wait_for(lambda: _ticket_events(bea_socket, ticket_id))
    # Ana learns the ticket left her, and nothing after that.
    assert _ticket_events(ana_socket, ticket_id) == ["ticket.reassigned"]
