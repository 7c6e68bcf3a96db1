"""An admin creates a client company through the form in headless Chromium against the real
server; the API key the page shows once then creates a ticket, and the name stays text."""

from __future__ import annotations

import pytest
import requests

from helpdesk.extensions import db
from tests import factories
from tests.processes import sign_in_page
from tests.test_agent_workspace_browser import XSS

pytestmark = pytest.mark.slow


def test_an_admin_creates_a_client_in_the_browser_and_its_key_works(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    admin = factories.make_agent("ada@helpdesk.test", role="admin", name="Ada").email
    db.session.remove()  # release SQLite's write lock for the server processes

    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in_page(page, system, admin)
    page.locator("header.topbar").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Client companies").click()
    page.get_by_role("link", name="New client company").click()

    # A mistake first: the form comes back with the message next to the field, values kept.
    page.get_by_label("Name", exact=True).fill("Initech " + XSS)
    page.get_by_label("Slug").fill("Not a slug")
    page.get_by_label("Languages").fill("en de")
    page.get_by_role("button", name="Create client company").click()
    expect(page.locator("#e-slug")).to_contain_text("lowercase letters")
    expect(page.get_by_label("Languages")).to_have_value("en de")

    page.get_by_label("Slug").fill("initech")
    page.get_by_label("Ticket prefix").fill("INI")
    page.get_by_label("Manila").check()
    page.get_by_label("Time zone of a new calendar").fill("Europe/Berlin")
    page.get_by_label("urgent First response minutes").fill("30")
    page.get_by_label("Support addresses").fill("help@initech.example")
    page.get_by_role("button", name="Create client company").click()

    expect(page.locator("#shown-secret")).to_contain_text("shown only this once")
    key = page.locator(".secret").inner_text().strip()
    assert key.startswith("hdk_")
    expect(page.locator("h1")).to_contain_text("Initech <img src=x")

    created = requests.post(f"{system}/api/v1/tickets", headers=factories.auth(key), timeout=10,
                            json={"subject": "Stapler missing", "channel": "api", "priority": "urgent"})
    assert created.status_code == 201, created.text
    assert created.json()["reference"].startswith("INI-") and created.json()["region"] == "manila"
    assert created.json()["sla"]["first_response_due_at"] is not None

    page.goto(f"{system}/admin/clients")
    expect(page.locator("#clients")).to_contain_text("Initech <img src=x")
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
