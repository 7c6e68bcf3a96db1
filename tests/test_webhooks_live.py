"""Outbound webhooks through the real processes: gevent web server, RQ worker with its scheduler."""

from __future__ import annotations

import time

import pytest
import requests

from helpdesk.channels import signatures
from helpdesk.extensions import db
from tests import factories
from tests.webhook_receiver import Reply

pytestmark = pytest.mark.slow


@pytest.fixture
def system_env():
    return {"WEBHOOK_RETRY_DELAYS": "2,2,2,2,2,2", "WEBHOOK_TIMEOUT_SECONDS": "1.5", "WEBHOOK_RUN_SECONDS": "1"}


def _client(slug: str) -> dict:
    _, key = factories.make_client(slug)
    return factories.auth(key)


def _endpoint(system: str, headers: dict, url: str) -> dict:
    response = requests.post(f"{system}/api/v1/webhooks", json={"url": url, "event_types": ["ticket.created"]},
                             headers=headers, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def _ticket(system: str, headers: dict, subject: str) -> None:
    response = requests.post(f"{system}/api/v1/tickets", json={"subject": subject, "body": "hi"},
                             headers=headers, timeout=10)
    assert response.status_code == 201, response.text


def test_a_retry_waits_for_its_time_and_keeps_its_id(app, system, receiver):
    factories.make_region("manila")
    headers = _client("acme")
    db.session.remove()
    receiver.script["/flaky"] = [Reply(503, "later"), Reply(200)]
    endpoint = _endpoint(system, headers, receiver.url("/flaky"))
    _ticket(system, headers, "one")
    first, second = receiver.wait_for("/flaky", 2, timeout=20)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert second.at - first.at >= 1.6  # the 2 s delay, less its jitter
    for item in (first, second):
        signatures.verify_standard_webhook([endpoint["secret"]], item.headers, item.raw)


def test_a_dead_endpoint_does_not_slow_another_clients_live_one(app, system, receiver):
    """The dead receiver accepts connections and never answers: each attempt costs a whole timeout."""
    factories.make_region("manila")
    dead_headers, live_headers = _client("deadco"), _client("liveco")
    db.session.remove()
    receiver.script["/dead"] = [Reply(200, delay=30)]
    _endpoint(system, dead_headers, receiver.url("/dead"))
    _endpoint(system, live_headers, receiver.url("/live"))
    posted = []
    for number in range(10):
        _ticket(system, dead_headers, f"dead {number}")
        _ticket(system, live_headers, f"live {number}")
        posted.append(time.monotonic())
        time.sleep(0.4)
    arrived = receiver.wait_for("/live", 10, timeout=20)
    lags = sorted(item.at - sent for item, sent in zip(sorted(arrived, key=lambda r: r.at), posted, strict=True))
    # With one worker the live client may wait for a dead attempt (1.5 s) now and then, never for a queue
    # of them: ten attempts in a row would put the last live delivery 15 s behind.
    assert lags[-1] < 6.0, lags
    # The dead endpoint is paused after each failure: a handful of attempts, not one per ticket.
    assert len(receiver.at("/dead")) <= 6


def test_a_slow_receiver_never_holds_up_the_web(app, system, receiver):
    """On SQLite a worker that held its write transaction across the POST would stop every writer."""
    factories.make_region("manila")
    headers = _client("acme")
    db.session.remove()
    receiver.script["/slow"] = [Reply(200, delay=4)]
    _endpoint(system, headers, receiver.url("/slow"))
    _ticket(system, headers, "starts a slow delivery")
    receiver.wait_for("/slow", 1, timeout=20)  # the worker is now waiting for the answer
    started = time.monotonic()
    _ticket(system, headers, "must not wait for it")
    assert time.monotonic() - started < 1.5
