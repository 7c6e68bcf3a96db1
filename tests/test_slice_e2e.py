"""The foundation's vertical slice through real processes: gevent web server,
RQ worker subprocess, and a python-socketio client signed in as an agent."""

from __future__ import annotations

import threading
import time

import pytest
import requests
import socketio

from helpdesk.extensions import db
from tests import factories
from tests.processes import browser_login, cookie_header

pytestmark = pytest.mark.slow


def test_ticket_posted_over_api_reaches_agent_socket_live(app, system):
    region = factories.make_region("manila", tz="Asia/Manila")
    client_id, key = factories.make_client("acme", region_slugs=[region.slug])
    supervisor = factories.make_agent("lead@helpdesk.test", role="supervisor", region_slug="manila")
    agent = factories.make_agent("ana@helpdesk.test", role="agent", region_slug="manila", name="Ana")
    other_region = factories.make_region("bogota", tz="America/Bogota")
    outsider = factories.make_agent("diego@helpdesk.test", role="agent", region_slug=other_region.slug)
    region_id, agent_id = region.id, agent.id
    people = {"lead": supervisor.email, "ana": agent.email, "diego": outsider.email}
    db.session.remove()  # release SQLite's write lock for the server processes

    received: dict[str, list] = {}
    arrived = {name: threading.Event() for name in ("lead", "ana", "diego")}
    sockets = []
    for name, email in people.items():
        session = browser_login(system, email, factories.PASSWORD)
        sio = socketio.Client(reconnection=False)
        received[name] = []

        def on_event(data, name=name):
            received[name].append(data)
            arrived[name].set()

        sio.on("event", on_event, namespace="/agent")
        sio.connect(system, namespaces=["/agent"], headers={"Cookie": cookie_header(session)},
                    transports=["websocket"], wait_timeout=10)
        sockets.append(sio)

    response = requests.post(f"{system}/api/v1/tickets", headers=factories.auth(key), timeout=10,
                             json={"subject": "Parcel lost", "body": "Where is it?",
                                   "contact": {"email": "c@example.com"}})
    assert response.status_code == 201, response.text
    ticket = response.json()

    assert arrived["lead"].wait(15), "supervisor did not receive ticket.created"
    assert arrived["ana"].wait(15), "agent in the ticket's region did not receive ticket.created"
    for name in ("lead", "ana"):
        event = received[name][0]
        assert event["type"] == "ticket.created"
        assert event["ticket_id"] == ticket["id"]
        assert event["client_id"] == client_id
        assert event["seq"] == 1
        assert event["data"]["ticket"]["reference"] == "ACME-1"
        assert event["data"]["ticket"]["region_id"] == region_id
    # An agent of another region, not in the supervisors room, gets nothing for this queue.
    assert not arrived["diego"].wait(1.0)

    # The worker also routed it: Ana, online through her socket, is the only agent in Manila.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        log = requests.get(f"{system}/api/v1/events?since=0", headers=factories.auth(key), timeout=10).json()
        if len(log["data"]) >= 2:
            break
        time.sleep(0.1)
    assert [(e["seq"], e["type"]) for e in log["data"]] == [(1, "ticket.created"), (2, "ticket.assigned")]
    assert log["data"][1]["data"]["agent_id"] == agent_id
    assert "Ana" in log["data"][1]["data"]["reason"]
    assert any(e["type"] == "ticket.assigned" for e in received["ana"])
    assert not any(e["type"] == "ticket.assigned" for e in received["diego"])
    for sio in sockets:
        sio.disconnect()


def test_socket_without_login_is_refused(app, system):
    sio = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(system, namespaces=["/agent"], transports=["websocket"], wait_timeout=5)
    assert requests.get(f"{system}/agent", allow_redirects=False, timeout=5).status_code == 302
