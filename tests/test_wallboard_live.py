"""The wallboard reaches supervisors' sockets after ticket events; agents and other clients' supervisors never."""

from __future__ import annotations

import time

import pytest

from helpdesk.extensions import db
from helpdesk.models import Client
from helpdesk.routing import presence
from tests.factories import auth, make_agent, make_client, make_region
from workers.queues import REALTIME_QUEUE


@pytest.fixture
def app_config():
    return {"SOCKETIO_MESSAGE_QUEUE": False}


def _boards(sio, wait: float, predicate) -> list[dict]:
    """Boards received within ``wait`` seconds, stopping at the first that satisfies ``predicate``."""
    seen: list[dict] = []
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        seen += [m["args"][0] for m in sio.get_received("/agent") if m["name"] == "wallboard"]
        if any(predicate(board) for board in seen):
            return seen
        time.sleep(0.05)
    return seen


def _waiting(board: dict, client_id: int) -> int | None:
    rows = [row for row in board["queues"] if row["client_id"] == client_id]
    return rows[0]["waiting"] if rows else None


def test_supervisors_get_the_board_live_and_agents_never_do(app, client, login, socketio_client, queue):
    make_region("manila", tz="Asia/Manila", order=1)
    acme_id, acme_key = make_client("acme")
    bolt_id, bolt_key = make_client("bolt")
    make_agent("lead@x.test", role="supervisor")
    dedicated = make_agent("bolt.lead@x.test", role="supervisor", all_clients=False)
    dedicated.clients = [db.session.get(Client, bolt_id)]
    db.session.commit()
    make_agent("ana@x.test", region_slug="manila")
    sockets = {}
    for email in ("lead@x.test", "bolt.lead@x.test", "ana@x.test"):
        browser = app.test_client()
        login(email, test_client=browser)
        sockets[email] = socketio_client(browser)
    presence.set_state(dedicated.id, "online")

    started = time.monotonic()
    for key in (acme_key, acme_key, bolt_key):
        assert client.post("/api/v1/tickets", json={"subject": "Help"}, headers=auth(key)).status_code == 201
    queue.run(REALTIME_QUEUE)

    boards = _boards(sockets["lead@x.test"], 5, lambda b: _waiting(b, acme_id) == 2)
    assert boards and _waiting(boards[-1], acme_id) == 2 and _waiting(boards[-1], bolt_id) == 1
    assert time.monotonic() - started < 5
    theirs = _boards(sockets["bolt.lead@x.test"], 3, lambda b: _waiting(b, bolt_id) == 1)
    assert theirs and all(_waiting(b, acme_id) is None for b in theirs)
    assert _boards(sockets["ana@x.test"], 1, lambda b: True) == []
