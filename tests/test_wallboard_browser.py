"""The supervisor wallboard in headless Chromium against the real server and worker: a ticket posted
over the API shows up in the queue figures without a reload, and client names stay text."""

from __future__ import annotations

import pytest
import requests

from helpdesk.extensions import db
from tests import factories
from tests.processes import sign_in_page
from tests.test_agent_workspace_browser import XSS

pytestmark = pytest.mark.slow


def test_wallboard_updates_live_when_a_ticket_arrives(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    client_id, key = factories.make_client("acme", name="Acme " + XSS, region_slugs=["manila"])
    lead = factories.make_agent("lea@helpdesk.test", role="supervisor", region_slug="manila", name="Lea").email
    db.session.remove()  # release SQLite's write lock for the server processes

    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in_page(page, system, lead)
    page.goto(f"{system}/supervisor?tv=1")
    expect(page.locator("#live-status")).to_have_text("live")
    expect(page.locator("#wb-regions li")).to_contain_text("Manila")

    for _ in range(2):
        created = requests.post(f"{system}/api/v1/tickets", headers=factories.auth(key), timeout=10,
                                json={"subject": "Parcel lost", "channel": "email"})
        assert created.status_code == 201, created.text

    row = page.locator(f'#wb-queues tr[data-client-id="{client_id}"]')
    expect(row.locator("td.waiting")).to_have_text("2", timeout=15000)  # pushed, no reload
    expect(row).to_contain_text("Acme <img src=x")
    expect(row.locator("td").nth(7)).to_have_text("2")  # incoming in the last 15 minutes
    assert page.locator("#wallboard img, #wallboard script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
