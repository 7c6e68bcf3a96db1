"""The client portal in headless Chromium at phone width (390 px), against the real web and
worker processes: every page fits, script payloads in ticket, contact and endpoint text stay
text, a refused action says why next to its button, and the forms work."""

from __future__ import annotations

import pytest
import requests

from helpdesk.extensions import db
from tests import factories
from tests.factories import auth, make_portal_user
from tests.test_phone_width_browser import OVERFLOW, PHONE

pytestmark = pytest.mark.slow

PAYLOAD = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
PAGES = ("tickets", "service", "hours", "webhooks", "api-keys", "users", "privacy", "audit")


def _fits(page) -> None:
    measured = page.evaluate(OVERFLOW)
    assert measured["scroll"] <= PHONE["width"], (page.url, measured)
    assert measured["out"] == [], (page.url, measured)


def _no_script_ran(page) -> None:
    assert page.evaluate("() => window.__pwned") is None, page.url


def _sign_in(browser, base: str, email: str):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/portal/tickets")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/portal/tickets")
    return page, dialogs


def test_every_portal_page_fits_a_phone_and_keeps_payloads_as_text(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    client_id, key = factories.make_client("acme", name="Acme Corp")
    make_portal_user(client_id, "boss@acme.example", name="Boss " + PAYLOAD)
    make_portal_user(client_id, "mo@acme.example", role="member")
    db.session.remove()
    created = requests.post(f"{system}/api/v1/tickets", headers=auth(key), timeout=10, json={
        "subject": "Subject " + PAYLOAD, "body": "Body " + PAYLOAD,
        "contact": {"email": "pat@example.com", "name": "Pat " + PAYLOAD}})
    assert created.status_code == 201
    endpoint = requests.post(f"{system}/api/v1/webhooks", headers=auth(key), timeout=10, json={
        "url": "http://127.0.0.1:9/hook", "event_types": ["*"], "description": "Hook " + PAYLOAD})
    assert endpoint.status_code == 201
    requests.patch(f"{system}/api/v1/webhooks/{endpoint.json()['id']}", headers=auth(key), timeout=10,
                   json={"active": False})

    page, dialogs = _sign_in(browser, system, "boss@acme.example")
    expect(page.locator("#tickets td.subject").first).to_have_text("Subject " + PAYLOAD)
    for name in PAGES:
        page.goto(f"{system}/portal/{name}")
        expect(page.locator("main h1")).to_be_visible()
        _fits(page)
        _no_script_ran(page)
    page.goto(f"{system}/portal/tickets")
    page.locator("#tickets tbody tr a").first.click()
    expect(page.locator("#conversation .msg").first).to_contain_text("Body " + PAYLOAD)
    _fits(page)
    _no_script_ran(page)

    # A disabled endpoint's test button is off, and the reason sits beside it.
    page.goto(f"{system}/portal/webhooks")
    test_button = page.get_by_role("button", name="Send a test")
    expect(test_button).to_be_disabled()
    expect(page.locator(f"#why-{endpoint.json()['id']}")).to_contain_text("enable it first")

    # A pattern RE2 refuses comes back with the reason next to the field, nothing saved.
    page.goto(f"{system}/portal/privacy")
    page.locator("textarea[name=custom]").fill("order: (a)\\1")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#custom-error")).to_contain_text("Rule 1")
    _fits(page)

    page.goto(f"{system}/portal/api-keys")
    page.get_by_label("Name of the new key").fill("CRM " + PAYLOAD)
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#secret-value")).to_contain_text("hdk_")
    expect(page.locator("#keys")).to_contain_text("CRM " + PAYLOAD)
    _no_script_ran(page)
    _fits(page)
    assert dialogs == []

    member, _ = _sign_in(browser, system, "mo@acme.example")
    member.goto(f"{system}/portal/api-keys")
    expect(member.locator("#keys-why")).to_contain_text("Only your company's portal admins")
    member.goto(f"{system}/portal/webhooks")
    expect(member.get_by_role("button", name="Rotate secret")).to_be_disabled()
    expect(member.locator(f"#why-{endpoint.json()['id']}")).to_contain_text("portal admins")
    assert member.locator("nav.sections").get_by_text("Audit trail").count() == 0
    _fits(member)
