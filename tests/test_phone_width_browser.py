"""At phone width (390 px) the inbox, the ticket page and the wallboard fit: no page scrolls
sideways, the header's buttons are on screen and tables become stacked rows (headless Chromium).
Take next says why it found nothing next to the button."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from helpdesk.models import Agent
from tests import factories
from tests.factories import auth
from tests.processes import sign_in_page

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}

# Elements sticking out past the viewport's right edge (what makes a page scroll sideways).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const node of document.body.querySelectorAll("*")) {
    const box = node.getBoundingClientRect();
    if (box.width && box.right > width + 1 && getComputedStyle(node).position !== "fixed") {
      out.push(`${node.tagName.toLowerCase()}#${node.id}.${node.className}: ${Math.round(box.right)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 12)};
}"""


def _fits(page) -> None:
    measured = page.evaluate(OVERFLOW)
    assert measured["scroll"] <= PHONE["width"], measured
    assert measured["out"] == [], measured


def _header_on_screen(page) -> None:
    for button in page.locator(".topbar button, .topbar a").all():
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, button.inner_text()


def test_inbox_ticket_page_and_wallboard_fit_a_phone(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    _, key = factories.make_client("acme", region_slugs=["manila"])
    ana = factories.make_agent("ana@helpdesk.test", region_slug="manila", name="Ana Cruz", timezone="Asia/Manila")
    factories.make_agent("lea@helpdesk.test", role="supervisor", region_slug="manila", name="Lea Supervisor")
    db.session.remove()
    import requests

    for n in range(3):
        created = requests.post(f"{system}/api/v1/tickets", headers=auth(key), timeout=10, json={
            "subject": f"A rather long subject line that would not fit on a phone screen number {n}",
            "body": "Where is my parcel? " * 20, "contact": {"email": f"c{n}@customer.example", "name": "Bo"}})
        assert created.status_code == 201

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in_page(page, system, ana.email)
    expect(page.locator("#live-status")).to_have_text("live")
    page.goto(f"{system}/agent?view=open")
    expect(page.locator("#tickets tbody tr").first).to_be_visible()
    _fits(page)
    _header_on_screen(page)
    # Stacked rows: each cell on its own line, labelled, instead of a table wider than the screen.
    first_row = page.locator("#tickets tbody tr").first
    assert first_row.evaluate("row => getComputedStyle(row).display") == "block"
    assert "Subject" in first_row.locator("td.subject").evaluate("td => getComputedStyle(td, '::before').content")

    page.locator("#tickets tbody tr a").first.click()
    expect(page.locator("#conversation")).to_be_visible()
    _fits(page)
    _header_on_screen(page)

    lead = context.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in_page(lead, system, "lea@helpdesk.test")
    lead.goto(f"{system}/supervisor")
    expect(lead.locator("#wb-regions li").first).to_be_visible()
    _fits(lead)
    _header_on_screen(lead)


def test_take_next_says_why_next_to_the_button(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    _, key = factories.make_client("acme", region_slugs=["manila"])
    ana = factories.make_agent("ana@helpdesk.test", region_slug="manila", name="Ana Cruz")
    agent = db.session.get(Agent, ana.id)
    agent.channels, agent.capacity = ["email"], {"email": 1}
    db.session.commit()
    db.session.remove()
    import requests

    for channel in ("phone", "phone"):
        assert requests.post(f"{system}/api/v1/tickets", headers=auth(key), timeout=10,
                             json={"subject": "Call me", "channel": channel}).status_code == 201

    page = browser.new_context(viewport=PHONE).new_page()
    sign_in_page(page, system, ana.email)
    page.goto(f"{system}/agent?view=queue")
    expect(page.locator("td.for-you").first).to_have_text("phone is not one of your channels")
    page.get_by_role("button", name="Take next").click()
    why = page.locator("#take-next-why")
    expect(why).to_contain_text("2 tickets on channels you do not work (phone)")
    button, said = page.locator("#take-next").bounding_box(), why.bounding_box()
    assert abs(said["y"] - button["y"]) < 120  # beside or just under the button, not at the page's foot
    _fits(page)
