"""Wallboard actions in headless Chromium against the real server and worker: a supervisor opens a
queue, changes a waiting ticket's priority, reassigns it and sets the agent away; the board, the
agent's inbox and presence follow live, without a reload."""

from __future__ import annotations

import pytest
import requests

from helpdesk.extensions import db
from tests import factories
from tests.processes import sign_in_page

pytestmark = pytest.mark.slow


def test_supervisor_acts_from_the_wallboard_and_everything_updates_live(app, system, browser):
    from playwright.sync_api import expect

    manila = factories.make_region("manila", order=1)
    bogota = factories.make_region("bogota", order=2)
    client_id, key = factories.make_client("acme", name="Acme", region_slugs=["manila", "bogota"])
    # Ana works in Bogota: coming online drains Bogota's queue, not Manila's, so the ticket keeps waiting.
    ana = factories.make_agent("ana@helpdesk.test", region_slug="bogota", name="Ana")
    lead = factories.make_agent("lea@helpdesk.test", role="supervisor", region_slug="manila", name="Lea")
    ana_id, lead_email, manila_id, bogota_id = ana.id, lead.email, manila.id, bogota.id
    db.session.remove()  # release SQLite's write lock for the server processes

    created = requests.post(f"{system}/api/v1/tickets", headers=factories.auth(key), timeout=10,
                            json={"subject": "Parcel lost", "channel": "email"})
    assert created.status_code == 201, created.text
    ticket_id, reference = created.json()["id"], created.json()["reference"]

    agent_page = browser.new_context().new_page()
    sign_in_page(agent_page, system, "ana@helpdesk.test")  # her inbox; its socket brings her online
    expect(agent_page.locator("#live-status")).to_have_text("live")

    page = browser.new_context().new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in_page(page, system, lead_email)
    page.goto(f"{system}/supervisor")
    expect(page.locator("#live-status")).to_have_text("live")
    manila_row = page.locator(f'#wb-queues tr[data-client-id="{client_id}"][data-region-id="{manila_id}"]')
    expect(manila_row.locator("td.waiting")).to_have_text("1", timeout=15000)
    ana_row = page.locator(f'#wb-agents tr[data-agent-id="{ana_id}"]')
    expect(ana_row.locator("td.presence")).to_have_text("online", timeout=15000)

    # Open the queue: the waiting ticket is listed.
    manila_row.get_by_role("button", name="Tickets").click()
    waiting = page.locator(f'#wb-waiting-list tr[data-ticket-id="{ticket_id}"]')
    expect(waiting).to_contain_text(reference)
    expect(waiting.locator("td.priority")).to_have_text("normal")

    # Change its priority.
    waiting.get_by_role("button", name="Actions").click()
    expect(page.locator("#wb-action")).to_be_visible()
    expect(page.locator("#wb-region option")).to_have_count(2)
    page.select_option("#wb-priority", "urgent")
    page.get_by_role("button", name="Change priority").click()
    expect(page.locator("#wb-message")).to_have_text(f"{reference} is now urgent priority.")
    expect(waiting.locator("td.priority")).to_have_text("urgent")

    # Reassign it to Ana: it leaves Manila's queue, lands on her load and in her inbox, all pushed.
    page.select_option("#wb-agent", str(ana_id))
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator("#wb-message")).to_have_text(f"{reference} reassigned to Ana.")
    expect(manila_row.locator("td.waiting")).to_have_text("0", timeout=15000)
    expect(ana_row.locator("td").nth(4)).to_have_text("email 1", timeout=15000)
    bogota_row = page.locator(f'#wb-queues tr[data-client-id="{client_id}"][data-region-id="{bogota_id}"]')
    expect(bogota_row.locator("td").nth(6)).to_have_text("1")  # open in Bogota now
    expect(page.locator(f'#wb-waiting-list tr[data-ticket-id="{ticket_id}"]')).to_have_count(0)
    expect(agent_page.locator(f'tr[data-ticket-id="{ticket_id}"]')).to_be_visible(timeout=15000)

    # Set Ana away: the board and her own page show it.
    ana_row.get_by_role("button", name="Set away").click()
    expect(page.locator("#wb-message")).to_have_text("Ana is now away.")
    expect(ana_row.locator("td.presence")).to_have_text("away", timeout=15000)
    expect(ana_row.get_by_role("button", name="Set away")).to_have_count(0)
    expect(agent_page.locator("#presence")).to_have_value("away", timeout=15000)
    expect(agent_page.locator("#notice")).to_have_text("A supervisor set you away.")
    assert dialogs == []


def test_tv_mode_has_no_actions(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    client_id, key = factories.make_client("acme", region_slugs=["manila"])
    lead = factories.make_agent("lea@helpdesk.test", role="supervisor", region_slug="manila").email
    factories.make_agent("ana@helpdesk.test", region_slug="manila", name="Ana")
    db.session.remove()
    assert requests.post(f"{system}/api/v1/tickets", headers=factories.auth(key), timeout=10,
                         json={"subject": "Help"}).status_code == 201

    page = browser.new_page()
    sign_in_page(page, system, lead)
    page.goto(f"{system}/supervisor?tv=1")
    expect(page.locator(f'#wb-queues tr[data-client-id="{client_id}"] td.waiting')).to_have_text("1", timeout=15000)
    assert page.locator("#wallboard button").count() == 0
    assert page.locator("#wb-detail").count() == 0
