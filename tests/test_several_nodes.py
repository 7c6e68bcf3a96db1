"""Two web nodes (gunicorn with deploy/gunicorn.conf.py, one gevent process each) and a
worker on one database and one Redis, as on several machines: a ticket POSTed to node A
reaches an agent whose socket is on node B; when node B dies, the agent's socket
reconnects to node A and its resync returns what it missed, so nothing is lost."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
import requests
import socketio

from helpdesk.extensions import db
from tests import factories
from tests.processes import Proc, browser_login, cookie_header, free_port, process_env, start_worker, wait_http

pytestmark = pytest.mark.slow
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _web_node(env: dict, log: Path) -> tuple[Proc, str]:
    port = free_port()
    proc = Proc([str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                {**env, "HELPDESK_BIND": f"127.0.0.1:{port}"}, log)
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/readyz", proc)
    return proc, base


class AgentSocket:
    def __init__(self, base: str, cookie: str) -> None:
        self.events: list[dict] = []
        self.hello: dict | None = None
        self.arrived = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self._on_event, namespace="/agent")
        self.sio.on("hello", self._on_hello, namespace="/agent")
        self.sio.connect(base, namespaces=["/agent"], headers={"Cookie": cookie}, transports=["websocket"],
                         wait_timeout=10)

    def _on_hello(self, data: dict) -> None:
        self.hello = data

    def _on_event(self, data: dict) -> None:
        with self.arrived:
            self.events.append(data)
            self.arrived.notify_all()

    def wait_for(self, ticket_id: int, timeout: float = 15) -> dict:
        with self.arrived:
            found = self.arrived.wait_for(lambda: next(
                (e for e in self.events if e["type"] == "ticket.created" and e["ticket_id"] == ticket_id), None),
                timeout)
        assert found, f"ticket.created for {ticket_id} never reached the socket"
        return found


def _post(base: str, key: str, subject: str) -> dict:
    response = requests.post(f"{base}/api/v1/tickets", headers=factories.auth(key), timeout=10,
                             json={"subject": subject, "body": "Hello", "contact": {"email": "c@example.com"}})
    assert response.status_code == 201, response.text
    return response.json()


def test_events_cross_nodes_and_survive_a_node_kill(app, database_url, redis_url, tmp_path):
    region = factories.make_region("manila", tz="Asia/Manila")
    client_id, key = factories.make_client("acme", region_slugs=[region.slug])
    factories.make_agent("ana@helpdesk.test", role="agent", region_slug="manila")
    db.session.remove()

    env = process_env(database_url, redis_url, tmp_path / "instance")
    node_a, base_a = _web_node(env, tmp_path / "node-a.log")
    node_b, base_b = _web_node(env, tmp_path / "node-b.log")
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        # The session cookie works on every node (one SECRET_KEY, sessions in signed cookies).
        cookie = cookie_header(browser_login(base_b, "ana@helpdesk.test", factories.PASSWORD))
        on_b = AgentSocket(base_b, cookie)
        first = _post(base_a, key, "Posted through node A")
        seen = on_b.wait_for(first["id"])
        assert seen["client_id"] == client_id

        node_b.kill_group()  # the node dies mid-shift; nginx would send its clients to node A
        on_b.sio.disconnect()
        last_seq = max(e["seq"] for e in on_b.events if e["client_id"] == client_id)
        missed = [_post(base_a, key, f"While the socket was down {i}")["id"] for i in range(3)]

        on_a = AgentSocket(base_a, cookie)
        reply = on_a.sio.call("resync", {"since": {str(client_id): last_seq}}, namespace="/agent", timeout=10)
        resynced = {e["ticket_id"] for e in reply["events"] if e["type"] == "ticket.created"}
        assert set(missed) <= resynced, (missed, reply)
        assert all(e["seq"] > last_seq for e in reply["events"])
        # ...and live events keep coming on the surviving node.
        after = _post(base_a, key, "After the failover")
        on_a.wait_for(after["id"])
        on_a.sio.disconnect()
    finally:
        worker.stop()
        node_b.stop()
        node_a.stop()
    assert "Traceback" not in node_a.output(), node_a.output()
