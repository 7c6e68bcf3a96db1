"""Socket.IO /agent: authentication, rooms, live events, resync after a drop."""

from __future__ import annotations

import pytest
from rq.job import Job

from helpdesk.extensions import db
from helpdesk.models import Agent, Outbox, PresenceLog
from helpdesk.platform.events import PUBLISH_TASK
from helpdesk.routing import presence
from helpdesk.staff.accounts import logout_everywhere
from tests.factories import auth, make_agent, make_client, make_region
from tests.support import wait_for


@pytest.fixture
def app_config():
    return {"SOCKETIO_MESSAGE_QUEUE": False}


def _events(sio, event_type=None):
    received = [m["args"][0] for m in sio.get_received("/agent") if m["name"] == "event"]
    return [e for e in received if event_type is None or e["type"] == event_type]


def test_unauthenticated_socket_is_refused(app, socketio_client):
    sio = socketio_client()
    assert not sio.is_connected("/agent")


def test_logged_out_everywhere_session_is_refused(app, client, login, socketio_client):
    agent = make_agent("ana@helpdesk.test")
    login(agent.email)
    logout_everywhere(agent)
    assert not socketio_client().is_connected("/agent")


def test_supervisor_receives_ticket_created_with_sequence(app, client, login, socketio_client, queue):
    region = make_region("warsaw")
    _, key = make_client("acme")
    lead = make_agent("lead@helpdesk.test", role="supervisor", region_slug=region.slug)
    login(lead.email)
    sio = socketio_client()
    assert sio.is_connected("/agent")
    hello = [m for m in sio.get_received("/agent") if m["name"] == "hello"]
    assert hello and hello[0]["args"][0]["agent_id"] == lead.id

    created = client.post("/api/v1/tickets", json={"subject": "Hi"}, headers=auth(key)).json
    queue.run()
    events = wait_for(lambda: _events(sio, "ticket.created"))
    assert events[0]["ticket_id"] == created["id"]
    assert events[0]["seq"] == 1


def test_agent_in_other_region_does_not_receive_queue_events(app, client, login, socketio_client, queue):
    home = make_region("manila", order=1)
    away = make_region("bogota", order=2)
    _, key = make_client("acme", region_slugs=[home.slug])
    insider = make_agent("ana@helpdesk.test", region_slug=home.slug)
    outsider = make_agent("diego@helpdesk.test", region_slug=away.slug)
    other_browser = app.test_client()
    login(insider.email)
    login(outsider.email, test_client=other_browser)
    inside, outside = socketio_client(), socketio_client(other_browser)

    client.post("/api/v1/tickets", json={"subject": "Where is my parcel"}, headers=auth(key))
    queue.run()
    assert wait_for(lambda: _events(inside, "ticket.created"))
    assert _events(outside) == []


def test_resync_returns_only_missed_events_visible_to_the_socket(app, client, login, socketio_client, queue):
    region = make_region("warsaw")
    client_id, key = make_client("acme")
    other_id, other_key = make_client("globex")
    lead = make_agent("lead@helpdesk.test", role="supervisor", region_slug=region.slug, all_clients=False,
                      client_slugs=["acme"])
    first = client.post("/api/v1/tickets", json={"subject": "one"}, headers=auth(key)).json
    login(lead.email)
    sio = socketio_client()
    # While "offline", two more changes happen for acme and one for a client this supervisor does not serve.
    client.patch(f"/api/v1/tickets/{first['id']}", json={"priority": "high"}, headers=auth(key))
    client.post("/api/v1/tickets", json={"subject": "two"}, headers=auth(key))
    client.post("/api/v1/tickets", json={"subject": "elsewhere"}, headers=auth(other_key))
    db.session.remove()

    reply = sio.emit("resync", {"since": {str(client_id): 1, str(other_id): 0}}, namespace="/agent",
                     callback=True)
    assert [(e["seq"], e["type"]) for e in reply["events"]] == [(2, "ticket.updated"), (3, "ticket.created")]
    assert all(e["client_id"] == client_id for e in reply["events"])
    assert reply["more"] is False


def test_client_dedicated_supervisor_joins_only_their_client_room(app, client, login, socketio_client, queue,
                                                                 redis):
    make_client("acme")
    _, other_key = make_client("globex")
    lead = make_agent("lead@helpdesk.test", role="supervisor", all_clients=False, client_slugs=["acme"])
    login(lead.email)
    sio = socketio_client()
    client.post("/api/v1/tickets", json={"subject": "not yours"}, headers=auth(other_key))
    queue.run()
    # The job ran, yet nothing reached this supervisor.
    row = db.session.scalars(db.select(Outbox).where(Outbox.task == PUBLISH_TASK).order_by(Outbox.created_at)).first()
    assert Job.fetch(row.id, connection=redis).get_status() == "finished"
    assert _events(sio) == []


def test_silent_agents_are_taken_offline_and_heartbeats_keep_them(app, client, login, socketio_client, redis):
    ana = make_agent("ana@helpdesk.test")
    quiet = make_agent("quiet@helpdesk.test")
    login(ana.email)
    sio = socketio_client()                      # connecting brings Ana online and starts her heartbeat
    presence.set_state(quiet.id, "online")
    redis.delete(presence.ALIVE_KEY.format(agent_id=quiet.id))   # her browser went silent
    assert sio.emit("heartbeat", namespace="/agent", callback=True) == {"ok": True}
    assert presence.expire_silent() == 1
    db.session.expire_all()
    assert db.session.get(Agent, ana.id).presence == "online"
    assert db.session.get(Agent, quiet.id).presence == "offline"
    states = [log.state for log in db.session.scalars(
        db.select(PresenceLog).where(PresenceLog.agent_id == quiet.id).order_by(PresenceLog.id))]
    assert states == ["online", "offline"]


def test_a_filed_batch_of_mail_is_pushed_in_order_by_one_job(app, client, login, socketio_client, queue, redis):
    from helpdesk.channels import raw as inbound_raw
    from helpdesk.channels.email import ingest as email_ingest
    from helpdesk.platform.events import PUBLISH_MANY_TASK
    from tests.mail_helpers import make_mail, make_mail_client

    acme = make_mail_client("acme")
    lead = make_agent("lead@helpdesk.test", role="supervisor")
    login(lead.email)
    sio = socketio_client()
    for n in range(4):
        inbound_raw.store_raw(acme.id, make_mail(f"Batch {n}", message_id=f"<batch-{n}@customer.example>"), "http")
    assert email_ingest.file_backlog(acme.id) == 4
    [row] = db.session.scalars(db.select(Outbox).where(Outbox.task == PUBLISH_MANY_TASK)).all()
    assert len(row.payload["event_ids"]) == 4
    queue.run()
    created = _events(sio, "ticket.created")
    assert [e["data"]["ticket"]["subject"] for e in created] == [f"Batch {n}" for n in range(4)]
    assert [e["seq"] for e in created] == sorted(e["seq"] for e in created)
    assert Job.fetch(row.id, connection=redis).get_status() == "finished"


BAD_PAYLOADS = [
    ("resync", ("x",)), ("resync", ()), ("resync", ([1, 2],)), ("resync", ({"since": "x"},)),
    ("resync", ({"since": {"1": "not a number"}},)), ("resync", ({"since": {"99999999999999999999": 1}},)),
    ("resync", ({"since": {"1": 99999999999999999999}},)),
    ("view_ticket", ()), ("view_ticket", ("x",)), ("view_ticket", (None,)), ("view_ticket", (7, 8)),
    ("typing", ()), ("typing", (True,)), ("presence", ()), ("presence", ("away",)),
]


@pytest.mark.parametrize(("event", "args"), BAD_PAYLOADS)
def test_a_payload_that_is_not_an_object_gets_an_error_acknowledgement(app, client, login, socketio_client,
                                                                       event, args, caplog):
    agent = make_agent("ana@helpdesk.test")
    login(agent.email)
    sio = socketio_client()
    assert sio.is_connected("/agent")
    reply = sio.emit(event, *args, namespace="/agent", callback=True)
    assert set(reply) == {"error"}, reply
    assert set(reply["error"]) == {"code", "message", "details"}
    assert reply["error"]["code"] in {"validation_failed", "not_found"}
    assert not [r for r in caplog.records if r.exc_info], "a bad payload is answered, not logged as a crash"
    # The socket stays usable: a good event after the bad one is answered normally.
    assert sio.emit("heartbeat", namespace="/agent", callback=True) == {"ok": True}


def test_a_ticket_id_past_range_is_not_found_on_the_socket(app, client, login, socketio_client):
    agent = make_agent("ana@helpdesk.test")
    login(agent.email)
    sio = socketio_client()
    reply = sio.emit("view_ticket", {"ticket_id": 99999999999999999999}, namespace="/agent", callback=True)
    assert reply["error"]["code"] == "not_found"
