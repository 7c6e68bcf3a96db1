"""Signing out everywhere in headless Chromium: the agent's other browser, whose live socket the
server closes, finds its session gone and goes to the sign-in page by itself."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from tests import factories
from tests.processes import sign_in_page

pytestmark = pytest.mark.slow


def test_sign_out_everywhere_sends_the_other_browser_to_sign_in(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    email = factories.make_agent("ana@helpdesk.test", region_slug="manila", name="Ana").email
    db.session.remove()  # release SQLite's write lock for the server processes

    office, home = browser.new_context().new_page(), browser.new_context().new_page()
    for page in (office, home):
        sign_in_page(page, system, email)
        expect(page.locator("#live-status")).to_have_text("live")

    home.get_by_role("button", name="Sign out everywhere").click()
    home.wait_for_url(f"{system}/login")
    office.wait_for_url(f"{system}/login", timeout=15000)  # no reload: its socket was closed
    office.goto(f"{system}/agent")
    office.wait_for_url(f"{system}/login**")  # the old session cookie no longer works
