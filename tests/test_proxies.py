"""X-Forwarded-* are believed only from the configured number of proxies (werkzeug's ProxyFix).

Through the real WSGI stack (the Engine.IO handshake answers before Flask routes), so the
transport's origin check is what is tested, not a helper."""

from __future__ import annotations

import pytest

from tests.support import other_app

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
FORGED = {"Origin": "https://evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}


@pytest.fixture
def app_config():
    return {"SOCKETIO_MESSAGE_QUEUE": False}


def test_without_trusted_proxies_forwarded_headers_do_not_make_an_origin_ours(app, client):
    assert client.get(HANDSHAKE, headers=FORGED).status_code == 400
    assert client.get(HANDSHAKE, headers={"Origin": "http://localhost"}).status_code == 200


def test_behind_one_trusted_proxy_its_forwarded_host_and_scheme_are_used(app_factory, redis):
    with other_app(app_factory, TRUSTED_PROXY_COUNT=1, SOCKETIO_MESSAGE_QUEUE=False) as proxied:
        http = proxied.test_client()
        behind_nginx = {"Origin": "https://help.example", "X-Forwarded-Host": "help.example",
                        "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        assert http.get(HANDSHAKE, headers=behind_nginx).status_code == 200
        # Only the last hop is believed: a client cannot prepend its own host through the proxy.
        smuggled = {**behind_nginx, "X-Forwarded-Host": "evil.example, help.example",
                    "Origin": "https://evil.example"}
        assert http.get(HANDSHAKE, headers=smuggled).status_code == 400
