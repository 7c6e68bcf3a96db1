"""Chat through the real gevent server: a python-socketio visitor and a signed-in agent socket,
the RQ worker pushing between them."""

from __future__ import annotations

import queue as queues

import pytest
import requests
import socketio

from helpdesk.channels.chat import conversations as chat
from helpdesk.extensions import db
from tests import factories
from tests.processes import browser_login, cookie_header, staff_csrf

pytestmark = pytest.mark.slow
SITE = "https://shop.acme.example"
# A visitor's browser sends one Origin; websocket-client would add its own beside ours, so the
# visitor here uses long-polling, the transport socket.io-client starts with anyway.
VISITOR_TRANSPORT = ["polling"]


def test_a_visitor_and_an_agent_chat_live_through_the_real_server(app, system):
    factories.make_region("manila")
    factories.make_client("acme", region_slugs=["manila"])
    chat.set_allowed_origins("acme", [SITE])
    ana = factories.make_agent("ana@helpdesk.test", region_slug="manila", name="Ana Cruz")
    email = ana.email
    db.session.remove()

    staff = browser_login(system, email, factories.PASSWORD)
    agent_inbox: queues.Queue = queues.Queue()
    agent = socketio.Client(reconnection=False)
    agent.on("event", agent_inbox.put, namespace="/agent")
    agent.on("typing", lambda data: agent_inbox.put({"type": "typing", **data}), namespace="/agent")
    agent.connect(system, namespaces=["/agent"], headers={"Cookie": cookie_header(staff)},
                  transports=["websocket"], wait_timeout=10)

    visitor_inbox: queues.Queue = queues.Queue()
    visitor = socketio.Client(reconnection=False)
    for name in ("ready", "message", "typing", "resumed"):
        visitor.on(name, lambda data, name=name: visitor_inbox.put((name, data)), namespace="/chat")
    visitor.connect(system, namespaces=["/chat"], headers={"Origin": SITE}, auth={"client": "acme"},
                    transports=VISITOR_TRANSPORT, wait_timeout=10)
    assert visitor_inbox.get(timeout=10) == ("ready", {"online": True, "client": "Acme"})

    started = visitor.call("start", {"text": "Where is my parcel?", "name": "Vic"}, namespace="/chat", timeout=10)
    assert "token" in started, started
    ticket_id = _wait_for(agent_inbox, lambda e: e.get("type") == "ticket.assigned")["ticket_id"]

    visitor.call("typing", {"typing": True}, namespace="/chat", timeout=10)
    assert _wait_for(agent_inbox, lambda e: e.get("type") == "typing")["who"] == "visitor"

    reply = staff.post(f"{system}/agent/api/tickets/{ticket_id}/messages", json={"body": "It ships today."},
                       headers={"X-CSRFToken": staff_csrf(staff, system)}, timeout=10)
    assert reply.status_code == 201, reply.text
    name, pushed = _wait_for(visitor_inbox, lambda item: item[0] == "message")
    assert (pushed["from"], pushed["name"], pushed["text"]) == ("agent", "Ana", "It ships today.")

    answer = visitor.call("message", {"text": "Thank you!"}, namespace="/chat", timeout=10)
    assert answer["message"]["text"] == "Thank you!"
    event = _wait_for(agent_inbox, lambda e: e.get("type") == "message.created"
                      and e["data"]["message"]["kind"] == "inbound")
    assert event["ticket_id"] == ticket_id and event["data"]["message"]["excerpt"] == "Thank you!"

    # A reload: a new connection with the token resumes the same conversation.
    visitor.disconnect()
    again = socketio.Client(reconnection=False)
    resumed: queues.Queue = queues.Queue()
    again.on("resumed", resumed.put, namespace="/chat")
    again.connect(system, namespaces=["/chat"], headers={"Origin": SITE},
                  auth={"client": "acme", "token": started["token"]}, transports=VISITOR_TRANSPORT, wait_timeout=10)
    texts = [m["text"] for m in resumed.get(timeout=10)["messages"]]
    assert texts == ["Where is my parcel?", "It ships today.", "Thank you!"]
    again.disconnect()

    stranger = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect(system, namespaces=["/chat"], headers={"Origin": "https://evil.example"},
                         auth={"client": "acme"}, transports=VISITOR_TRANSPORT, wait_timeout=5)
    agent.disconnect()
    assert requests.get(f"{system}/static/widget.js", timeout=5).status_code == 200


def _wait_for(inbox: queues.Queue, wanted, timeout: float = 15):
    while True:
        item = inbox.get(timeout=timeout)
        if wanted(item):
            return item
