"""Revoked sessions through real processes: the gevent web server holds the sockets, and the
change comes from a request to it or from another process through the Redis message queue."""

from __future__ import annotations

import threading

import pytest
import requests
import socketio

from helpdesk.extensions import db
from helpdesk.models import Agent
from tests import factories
from tests.processes import browser_login, cookie_header, staff_csrf
from tests.support import wait_for

pytestmark = pytest.mark.slow


def _open_socket(base: str, session: requests.Session) -> tuple[socketio.Client, list]:
    endings: list = []
    sio = socketio.Client(reconnection=False)
    sio.on("session_ended", endings.append, namespace="/agent")
    connected = threading.Event()
    sio.on("hello", lambda _data: connected.set(), namespace="/agent")
    sio.connect(base, namespaces=["/agent"], headers={"Cookie": cookie_header(session)},
                transports=["websocket"], wait_timeout=10)
    assert connected.wait(10)
    return sio, endings


def test_logout_everywhere_disconnects_sockets_of_other_browsers(app, system):
    agent = factories.make_agent("ana@helpdesk.test", name="Ana")
    db.session.remove()  # release SQLite's write lock for the server processes
    laptop = browser_login(system, agent.email, factories.PASSWORD)
    phone = browser_login(system, agent.email, factories.PASSWORD)
    sio, _ = _open_socket(system, phone)
    try:
        response = laptop.post(f"{system}/auth/logout-everywhere", headers={"X-CSRFToken": staff_csrf(laptop, system)},
                               allow_redirects=False, timeout=10)
        assert response.status_code == 302
        wait_for(lambda: not sio.connected, timeout=10)
        assert phone.get(f"{system}/agent", allow_redirects=False, timeout=10).status_code == 302
    finally:
        sio.disconnect()


def test_deactivation_in_another_process_disconnects_the_agents_socket(app, system):
    agent = factories.make_agent("ana@helpdesk.test", name="Ana")
    agent_id = agent.id
    db.session.remove()
    session = browser_login(system, agent.email, factories.PASSWORD)
    sio, endings = _open_socket(system, session)
    try:
        # This test process is "another node": it holds no socket, so the disconnect goes through Redis.
        db.session.get(Agent, agent_id).active = False
        db.session.commit()
        db.session.remove()
        wait_for(lambda: not sio.connected, timeout=10)
        with pytest.raises(socketio.exceptions.ConnectionError):
            socketio.Client(reconnection=False).connect(
                system, namespaces=["/agent"], headers={"Cookie": cookie_header(session)},
                transports=["websocket"], wait_timeout=5)
    finally:
        sio.disconnect()
    assert endings in ([], [{"reason": "signed_out"}])   # the courtesy notice may lose the race
