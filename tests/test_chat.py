"""Live chat over the /chat namespace: origins, start, both directions live, typing, resume, limits,
and "leave a message" when no one is on shift. In-process Socket.IO test clients; the real
gevent server is driven in test_chat_e2e.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.channels.chat import conversations as chat
from helpdesk.extensions import db, socketio
from helpdesk.models import Ticket
from tests import factories

SITE = "https://shop.acme.example"


@pytest.fixture
def app_config():
    return {"SOCKETIO_MESSAGE_QUEUE": False}


@pytest.fixture
def acme(app):
    factories.make_region("manila")
    client_id, _ = factories.make_client("acme", region_slugs=["manila"])
    chat.set_allowed_origins("acme", [SITE, "http://localhost:8000"])
    return client_id


def visitor(app, origin: str | None = SITE, **auth):
    headers = {"Origin": origin} if origin else {}
    return socketio.test_client(app, namespace="/chat", auth={"client": "acme", **auth}, headers=headers)


def _first_arg(packet: dict):
    args = packet["args"]
    return args[0] if isinstance(args, list) else args


def received(sio, name: str) -> list:
    return [_first_arg(m) for m in sio.get_received("/chat") if m["name"] == name]


def agent_events(sio, name: str = "event") -> list:
    return [_first_arg(m) for m in sio.get_received("/agent") if m["name"] == name]


def test_only_the_clients_sites_may_open_a_chat(app, acme):
    assert not visitor(app, "https://evil.example").is_connected("/chat")
    assert not visitor(app, None).is_connected("/chat")
    assert not socketio.test_client(app, namespace="/chat", auth={"client": "nobody"},
                                    headers={"Origin": SITE}).is_connected("/chat")
    factories.make_client("globex")
    chat.set_allowed_origins("globex", ["https://globex.example"])
    # Globex's site is on some client's list, but not acme's.
    assert not visitor(app, "https://globex.example").is_connected("/chat")
    ok = visitor(app, "HTTPS://Shop.Acme.Example:443")
    assert ok.is_connected("/chat") and received(ok, "ready") == [{"online": True, "client": "Acme"}]


def test_staff_sockets_from_another_site_are_refused(app, client, login, acme, socketio_client):
    factories.make_agent("ana@helpdesk.test")
    login("ana@helpdesk.test")
    same_site = socketio_client()
    assert same_site.is_connected("/agent")
    foreign = socketio.test_client(app, namespace="/agent", flask_test_client=client, headers={"Origin": SITE})
    assert not foreign.is_connected("/agent")


def test_a_chat_both_ways_with_typing_and_resume(app, client, login, acme, socketio_client, queue):
    lead = factories.make_agent("lead@helpdesk.test", role="supervisor", name="Lena Lead")
    login(lead.email)
    agent = socketio_client()
    guest = visitor(app)
    started = guest.emit("start", {"text": "Hi, is my order shipped?", "name": "Vic", "email": "vic@customer.example"},
                         namespace="/chat", callback=True)
    assert "token" in started and started["message"]["from"] == "visitor", started
    ticket = db.session.scalar(select(Ticket).where(Ticket.channel == "chat"))
    assert ticket.subject == "Chat: Hi, is my order shipped?" and ticket.contact.email == "vic@customer.example"
    queue.run()
    assert "ticket.created" in [e["type"] for e in agent_events(agent)]  # then routing's ticket.queued

    assert guest.emit("typing", {"typing": True}, namespace="/chat", callback=True) == {"ok": True}
    assert agent_events(agent, "typing") == [{"ticket_id": ticket.id, "who": "visitor", "typing": True}]
    typed = agent.emit("typing", {"ticket_id": ticket.id, "typing": True}, namespace="/agent", callback=True)
    assert typed == {"ok": True}
    assert received(guest, "typing") == [{"who": "agent", "name": "Lena", "typing": True}]

    token = factories.csrf_token(client.get("/agent").get_data(as_text=True))
    reply = client.post(f"/agent/api/tickets/{ticket.id}/messages", headers={"X-CSRFToken": token},
                        json={"body": "Yes, it left today <b>not bold</b>."})
    assert reply.status_code == 201, reply.get_json()
    queue.run()
    [pushed] = received(guest, "message")
    assert (pushed["from"], pushed["name"]) == ("agent", "Lena")
    assert pushed["text"] == "Yes, it left today <b>not bold</b>."  # plain text; the widget never parses it

    second = guest.emit("message", {"text": "Thanks!"}, namespace="/chat", callback=True)
    assert second["message"]["text"] == "Thanks!"
    queue.run()
    pushed_to_agents = [e for e in agent_events(agent) if e["type"] == "message.created"]
    assert [e["data"]["message"]["kind"] for e in pushed_to_agents] == ["outbound", "inbound"]

    guest.disconnect(namespace="/chat")  # the page reloads
    again = visitor(app, token=started["token"])
    [resumed] = received(again, "resumed")
    assert [(m["from"], m["text"]) for m in resumed["messages"]] == [
        ("visitor", "Hi, is my order shipped?"), ("agent", "Yes, it left today <b>not bold</b>."),
        ("visitor", "Thanks!")]
    assert again.emit("message", {"text": "Still there?"}, namespace="/chat", callback=True)["message"]
    assert len(db.session.scalars(select(Ticket).where(Ticket.channel == "chat")).all()) == 1


def test_a_forged_or_foreign_token_starts_afresh(app, acme):
    assert received(visitor(app, token="not-a-token"), "ready")
    factories.make_client("globex")
    chat.set_allowed_origins("globex", [SITE])
    guest = visitor(app)
    token = guest.emit("start", {"text": "hello"}, namespace="/chat", callback=True)["token"]
    other = socketio.test_client(app, namespace="/chat", auth={"client": "globex", "token": token},
                                 headers={"Origin": SITE})
    assert received(other, "ready") and not received(other, "resumed")  # acme's chat is not globex's


@pytest.mark.parametrize("app_config", [{"SOCKETIO_MESSAGE_QUEUE": False, "CHAT_RATE_LIMIT": 3}])
def test_rate_and_size_limits(app, acme):
    guest = visitor(app)
    assert "token" in guest.emit("start", {"text": "one"}, namespace="/chat", callback=True)
    answers = [guest.emit("message", {"text": f"line {n}"}, namespace="/chat", callback=True) for n in range(3)]
    assert [a.get("error", {}).get("code") for a in answers] == [None, None, "rate_limited"]
    fresh = visitor(app)
    too_long = fresh.emit("start", {"text": "x" * 4001}, namespace="/chat", callback=True)
    assert too_long["error"]["code"] == "validation_failed" and "text" in too_long["error"]["details"]
    empty = fresh.emit("start", {"text": "   "}, namespace="/chat", callback=True)
    assert empty["error"]["code"] == "validation_failed"
    not_started = fresh.emit("message", {"text": "hi"}, namespace="/chat", callback=True)
    assert not_started["error"]["code"] == "conflict"


def test_when_no_one_is_on_shift_a_left_message_becomes_an_email_ticket(app, client):
    factories.make_region("closed", around_the_clock=False, hours={})
    factories.make_client("acme", region_slugs=["closed"])
    chat.set_allowed_origins("acme", [SITE])
    assert received(visitor(app), "ready") == [{"online": False, "client": "Acme"}]

    preflight = client.options("/chat/acme/leave-message", headers={"Origin": SITE,
                                                                    "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == SITE
    left = client.post("/chat/acme/leave-message", headers={"Origin": SITE},
                       json={"name": "Vic", "email": "vic@customer.example", "text": "Please call me back."})
    assert left.status_code == 201 and left.headers["Access-Control-Allow-Origin"] == SITE
    ticket = db.session.scalar(select(Ticket).where(Ticket.channel == "email"))
    assert ticket.reference == left.get_json()["reference"] and "chat-offline" in ticket.tags
    assert ticket.messages[0].body_text == "Please call me back."
    assert client.post("/chat/acme/leave-message", headers={"Origin": "https://evil.example"},
                       json={"email": "x@y.example", "text": "hi"}).status_code == 403
    no_email = client.post("/chat/acme/leave-message", headers={"Origin": SITE}, json={"text": "hi"})
    assert no_email.status_code == 422 and "email" in no_email.get_json()["error"]["details"]


@pytest.mark.parametrize(("given", "expected"), [
    ("https://Shop.Example:443", "https://shop.example"), ("http://localhost:8000", "http://localhost:8000"),
    ("https://a.example, https://b.example", None), ("https://a.example:notaport", None), ("null", None),
    ("ftp://a.example", None), (None, None)])
def test_origins_are_compared_the_way_browsers_send_them(given, expected):
    assert chat.normalize_origin(given) == expected
