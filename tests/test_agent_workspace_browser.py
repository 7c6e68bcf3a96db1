"""The agent workspace in headless Chromium (Debian's chromium, driven by Playwright with its
executable path) against the real server and worker: a ticket posted over the API appears in
the inbox live, the agent switches presence, searches and opens it with the keyboard, sees the
email's HTML in a sandboxed frame, replies, a supervisor sees her typing, a customer's answer
arrives without reload (a draft begun before it only warns), and nothing anyone wrote runs as HTML."""

from __future__ import annotations

import re

import pytest
import requests

from helpdesk.extensions import db
from helpdesk.tickets import macros
from tests import factories
from tests.mail_helpers import CaptureHandler
from tests.processes import free_port
from tests.processes import sign_in_page as sign_in
from tests.support import wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def customer_mail():
    """The customer's mail server (aiosmtpd): the worker sends the agent's email replies here."""
    from aiosmtpd.controller import Controller

    handler = CaptureHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def system_env(customer_mail) -> dict:
    return {"SMTP_URL": f"smtp://127.0.0.1:{customer_mail[1]}"}


XSS = '<img src=x onerror="window.__xss = 1"><script>window.__xss = 2; alert(1)</script>'


def test_agent_receives_a_ticket_live_replies_and_no_payload_runs(app, system, browser, customer_mail):
    from playwright.sync_api import expect

    factories.make_region("manila")
    _, key = factories.make_client("acme", region_slugs=["manila"])
    email = factories.make_agent("ana@helpdesk.test", region_slug="manila", name="Ana Cruz",
                                 timezone="Asia/Manila").email
    lead = factories.make_agent("lea@helpdesk.test", role="supervisor", region_slug="manila", name="Lea").email
    macros.create(None, "Shipping update", "Hi {{contact.first_name}}, {{ticket.reference}} is on its way.",
                  {"add_tags": ["shipping"]})
    db.session.remove()  # release SQLite's write lock for the server processes

    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, system, email)
    expect(page.locator("#live-status")).to_have_text("live")  # the socket is up: the agent is online

    created = requests.post(f"{system}/api/v1/tickets", headers=factories.auth(key), timeout=10,
                            json={"subject": "Parcel lost " + XSS, "body": "Where is it? " + XSS,
                                  "body_html": "<p>Where is <b>it</b>?</p>" + XSS,
                                  "contact": {"email": "c@customer.example", "name": "Cy " + XSS}})
    assert created.status_code == 201, created.text
    ticket = created.json()

    # Routed by the worker to the only online agent: the row appears in "My tickets" without reload.
    row = page.locator(f'#tickets tr[data-ticket-id="{ticket["id"]}"]')
    expect(row).to_contain_text("Parcel lost <img src=x")

    page.get_by_label("Presence").select_option("away")
    expect(page.locator("#notice")).to_have_text("You are away.")
    page.get_by_label("Presence").select_option("online")
    expect(page.locator("#notice")).to_have_text("You are online.")

    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("parcel")
    page.keyboard.press("Enter")
    expect(page.locator("#search-list")).to_contain_text(ticket["reference"] + " Parcel lost <img src=x")
    page.keyboard.press("Escape")              # leaves the search box; shortcuts work again
    page.keyboard.press("j")
    expect(row).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Enter")               # opens the selected ticket
    page.wait_for_url(f"{system}/agent/tickets/{ticket['id']}")
    expect(page.locator("#live-status")).to_have_text("live")
    expect(page.locator("#ticket-subject")).to_have_text("Parcel lost " + XSS)
    expect(page.locator("#contact-name")).to_have_text("Cy " + XSS)

    page.get_by_text("Show original HTML").click()
    frame = page.locator('#conversation iframe[sandbox=""]')
    expect(frame).to_be_visible()
    expect(page.frame_locator('#conversation iframe[sandbox=""]').locator("b")).to_have_text("it")

    page.get_by_label("Reply to the customer").fill("It ships today " + XSS)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#conversation .msg.outbound")).to_contain_text("It ships today <img src=x")
    # The reply went out by email: the worker delivered it to the customer's mail server over SMTP.
    mail = wait_for(lambda: next((m for m in customer_mail[0].received if "It ships today" in
                                  m.get_body(("plain",)).get_content()), None), timeout=20)
    assert mail["To"].addresses[0].addr_spec == "c@customer.example"
    assert f"[#{ticket['reference']}]" in mail["Subject"]

    # A macro fills the reply box for this customer and tags the ticket; nothing is sent yet.
    page.get_by_label("Macro").select_option(label="Shipping update")
    expect(page.get_by_label("Reply to the customer")).to_have_value(f"Hi Cy, {ticket['reference']} is on its way.")
    expect(page.locator("#ticket-tags")).to_contain_text("shipping")
    expect(page.locator("#conversation .msg.outbound")).to_have_count(1)

    # The supervisor, in another browser context, sees Ana typing on the same ticket.
    supervisor = browser.new_context().new_page()
    sign_in(supervisor, system, lead)
    supervisor.goto(f"{system}/agent/tickets/{ticket['id']}")
    expect(supervisor.locator("#live-status")).to_have_text("live")
    expect(supervisor.locator(f'body[data-viewing="{ticket["id"]}"]')).to_have_count(1)  # joined the room
    page.get_by_label("Reply to the customer").fill("Anything else?")
    expect(supervisor.locator("#typing")).to_have_text("Ana is typing…")

    answer = requests.post(f"{system}/api/v1/tickets/{ticket['id']}/messages", headers=factories.auth(key),
                           json={"body": "Thank you! " + XSS}, timeout=10)
    assert answer.status_code == 201, answer.text
    expect(page.locator("#conversation .msg.inbound")).to_have_count(2)  # arrived live
    expect(page.locator("#conversation .msg.inbound").last).to_contain_text("Thank you! <img src=x")
    expect(supervisor.locator("#conversation .msg.inbound")).to_have_count(2)

    # The draft began before the customer's answer: the first send only warns.
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#form-error")).to_contain_text("The customer wrote again")
    expect(page.locator("#conversation .msg.outbound")).to_have_count(1)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#conversation .msg.outbound")).to_have_count(2)

    assert page.locator("#conversation img, #conversation script, #ticket-subject img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
