"""Deactivating an agent in the admin page closes the agent's open /agent socket at once,
and a new one is refused."""

from __future__ import annotations

import pytest

from tests import factories
from tests.support import wait_for

NS = "/agent"


@pytest.fixture
def app_config():
    return {"SOCKETIO_MESSAGE_QUEUE": False}


def _submit(http, url: str, data: dict):
    token = factories.csrf_token(http.get(url).get_data(as_text=True))
    return http.post(url, data={"csrf_token": token, **data})


AGENT_FORM = {"name": "Ana", "role": "agent", "timezone": "UTC", "languages": "en", "channels": ["email"],
              "capacity_email": "4", "all_clients": "1", "active": "1"}


def test_deactivating_an_agent_in_admin_closes_their_open_socket(app, client, login, socketio_client):
    ana = factories.make_agent("ana@helpdesk.test", name="Ana")
    desk = app.test_client()
    login(ana.email, test_client=desk)
    sio = socketio_client(desk)
    assert sio.is_connected(NS)

    factories.make_agent("ada@helpdesk.test", role="admin")
    login("ada@helpdesk.test")
    form = dict(AGENT_FORM)
    form.pop("active")
    assert _submit(client, f"/admin/agents/{ana.id}", form).status_code == 302

    wait_for(lambda: not sio.is_connected(NS))
    assert not socketio_client(desk).is_connected(NS)
    assert desk.get("/agent").status_code == 302

