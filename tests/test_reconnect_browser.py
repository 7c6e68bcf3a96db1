"""A 30-second network loss in headless Chromium: the agent's page loses its socket, events happen
meanwhile, and after the network comes back the page reconnects by itself, asks for what it
missed (by the client's sequence number) and shows it, without a reload."""

from __future__ import annotations

import time

import pytest
import requests

from helpdesk.extensions import db
from tests import factories
from tests.netcut import CuttableLink
from tests.processes import sign_in_page

pytestmark = pytest.mark.slow
DROP_SECONDS = 30


def test_events_during_a_30_second_drop_appear_after_reconnect(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    _, key = factories.make_client("acme", region_slugs=["manila"])
    email = factories.make_agent("ana@helpdesk.test", region_slug="manila", name="Ana").email
    db.session.remove()  # release SQLite's write lock for the server processes
    link = CuttableLink(int(system.rsplit(":", 1)[1]))
    try:
        page = browser.new_page()
        sign_in_page(page, link.url, email)
        expect(page.locator("#live-status")).to_have_text("live")
        ticket = _post(system, key, "/api/v1/tickets", {"subject": "Router blinking", "body": "Red light.",
                                                        "contact": {"email": "c@customer.example"}})
        row = page.locator(f'#tickets tr[data-ticket-id="{ticket["id"]}"]')
        expect(row).to_contain_text("Router blinking")  # routed to Ana, shown live
        page.evaluate("window.__sameDocument = true")  # gone if the page reloads

        started = time.monotonic()
        link.cut()
        expect(page.locator("#live-status")).not_to_have_text("live", timeout=10000)
        # While Ana is cut off, the client's system changes her ticket twice.
        _patch(system, key, ticket["id"], {"priority": "urgent"})
        _patch(system, key, ticket["id"], {"tags": ["outage"], "subject": "Router down"})
        time.sleep(max(0.0, DROP_SECONDS - (time.monotonic() - started)))
        expect(row.locator(".badge.priority-normal")).to_have_count(1)  # nothing arrived while cut off
        link.restore()

        expect(page.locator("#live-status")).to_have_text("live", timeout=20000)
        expect(row.locator(".badge.priority-urgent")).to_have_count(1)
        expect(row).to_contain_text("Router down")
        assert page.evaluate("window.__sameDocument") is True
    finally:
        link.close()


def _post(base: str, key: str, path: str, body: dict) -> dict:
    response = requests.post(f"{base}{path}", headers=factories.auth(key), json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def _patch(base: str, key: str, ticket_id: int, body: dict) -> None:
    response = requests.patch(f"{base}/api/v1/tickets/{ticket_id}", headers=factories.auth(key), json=body,
                              timeout=10)
    assert response.status_code == 200, response.text
