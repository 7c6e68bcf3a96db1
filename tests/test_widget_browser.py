"""The chat widget in headless Chromium (Debian's chromium, driven by Playwright with its
executable path): a visitor chats with an agent through the real server, nothing either of
them writes runs as HTML, and a reload resumes the conversation."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from helpdesk.channels.chat import conversations as chat
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.platform.sqlite import read_only
from tests import factories
from tests.processes import browser_login, staff_csrf

pytestmark = pytest.mark.slow
XSS = '<img src=x onerror="window.__xss = 1"><script>window.__xss = 2</script>'


def _chat_tickets(timeout: float = 15) -> list[tuple[int, str]]:
    """(id, first message) of the chat tickets, read without holding SQLite's write lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with read_only():
            found = [(t.id, t.messages[0].body_text) for t in db.session.scalars(
                select(Ticket).where(Ticket.channel == "chat"))]
            db.session.remove()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("no chat ticket was created")


def test_the_widget_chats_with_an_agent_and_never_runs_anyones_html(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    factories.make_client("acme", region_slugs=["manila"])
    chat.set_allowed_origins("acme", [system])  # the demo page stands in for the client's site
    email = factories.make_agent("ana@helpdesk.test", region_slug="manila", name="Ana Cruz").email
    db.session.remove()

    page = browser.new_page()
    page.goto(f"{system}/chat/acme/demo")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Your name").fill("Vic " + XSS)
    page.get_by_label("Message").fill("Hello from the browser " + XSS)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".hd-msg.visitor")).to_contain_text("Hello from the browser <img src=x")

    [(ticket_id, first_text)] = _chat_tickets()
    assert first_text == "Hello from the browser " + XSS  # stored as the visitor typed it
    staff = browser_login(system, email, factories.PASSWORD)
    csrf = staff_csrf(staff, system)
    reply = staff.post(f"{system}/agent/api/tickets/{ticket_id}/messages", headers={"X-CSRFToken": csrf},
                       json={"body": "It ships today " + XSS}, timeout=10)
    assert reply.status_code == 201, reply.text
    agent_line = page.locator(".hd-msg.agent")
    expect(agent_line).to_contain_text("Ana:It ships today <img src=x")
    assert page.locator(".hd-chat img, .hd-chat script").count() == 0
    assert page.evaluate("window.__xss") is None

    page.reload()  # the visitor token in localStorage resumes the same chat
    page.get_by_role("button", name="Chat with us").click()
    expect(page.locator(".hd-msg")).to_have_count(2)
    expect(page.locator(".hd-msg.agent")).to_contain_text("It ships today")
    assert page.evaluate("window.__xss") is None
    assert len(_chat_tickets()) == 1
