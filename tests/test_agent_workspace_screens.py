"""Makes the README's screenshots of the agent workspace (docs/screenshots/agent-*.png) from
demo data through the real server. Opt-in: HELPDESK_SCREENSHOTS=1 pytest tests/test_agent_workspace_screens.py"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from helpdesk.admin import demo
from helpdesk.channels.phone import calls as phone
from helpdesk.extensions import db
from helpdesk.models import Agent, Region, Ticket
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import assignment
from helpdesk.tickets import service as tickets
from tests.processes import CHROMIUM

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("HELPDESK_SCREENSHOTS") != "1", reason="set HELPDESK_SCREENSHOTS=1"),
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def give_ana_some_work() -> int:
    """Assign Manila's open tickets to Ana and give one a full conversation; returns that ticket's id."""
    ana = db.session.scalar(select(Agent).where(Agent.email == "ana@helpdesk.test"))
    manila = db.session.scalar(select(Region).where(Region.slug == "manila"))
    # Ana speaks English only: routing refuses to give her anything else.
    servable = select(Ticket).where(Ticket.region_id == manila.id, Ticket.language == "en",
                                    Ticket.status.in_(("new", "open", "pending")))
    waiting = db.session.scalars(servable.order_by(Ticket.id).limit(8)).all()
    ids = [t.id for t in waiting]
    lead = db.session.scalar(select(Agent).where(Agent.email == "lead.manila@helpdesk.test"))
    for ticket_id in ids:
        assignment.reassign(ticket_id, ana.id, Actor("agent", lead.id))
    showcase = ids[0]
    scope = TenantScope.for_agent(ana)
    tickets.add_agent_message(scope, showcase, ana.id, {"body": "Customer called twice already; be quick.",
                                                         "internal": True})
    tickets.add_agent_message(scope, showcase, ana.id, {"body": "Hello! I checked with the courier: your parcel "
                                                         "is in the local depot and will be delivered tomorrow."})
    phone.log_call_by_hand(scope, showcase, ana.id, {"number": "+1 212 555 0142", "direction": "outbound",
                                                     "duration_seconds": 185, "notes": "Confirmed the address."})
    tickets.update_ticket(scope, showcase, {"tags": ["delivery", "vip"]}, Actor("agent", ana.id))
    db.session.remove()
    return showcase


def test_screenshots_of_the_agent_workspace(app, system):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    demo.seed(ticket_count=80)
    showcase = give_ana_some_work()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.goto(f"{system}/login")
        page.get_by_label("Email").fill("ana@helpdesk.test")
        page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{system}/agent")
        expect(page.locator("#live-status")).to_have_text("live")
        page.screenshot(path=str(SCREENSHOTS / "agent-inbox.png"))
        page.goto(f"{system}/agent/tickets/{showcase}")
        expect(page.locator("#live-status")).to_have_text("live")
        expect(page.locator(".countdown").first).not_to_be_empty()
        page.screenshot(path=str(SCREENSHOTS / "agent-ticket.png"), full_page=True)
        browser.close()
