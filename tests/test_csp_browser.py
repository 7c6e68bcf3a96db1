"""The page CSP runs no inline script, and every page still works under it (headless Chromium)."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from tests import factories
from tests.processes import sign_in_page


def _script_src(policy: str) -> str:
    return next(part for part in policy.split(";") if part.strip().startswith("script-src")).strip()


def test_no_page_allows_inline_script(client, login):
    factories.make_agent("ada@helpdesk.test", role="admin")
    login("ada@helpdesk.test")
    for path in ("/login", "/agent", "/supervisor", "/supervisor/reports", "/admin", "/api/v1/docs", "/nope"):
        response = client.get(path)
        assert response.mimetype == "text/html", path
        assert _script_src(response.headers["Content-Security-Policy"]) == "script-src 'self'", path
        assert "<script>" not in response.get_data(as_text=True), path  # nothing inline that would be blocked


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


@pytest.mark.slow
def test_pages_work_under_the_csp_and_an_injected_inline_script_does_not_run(app, system, browser):
    from playwright.sync_api import expect

    factories.make_region("manila")
    factories.make_agent("ada@helpdesk.test", role="admin", region_slug="manila", name="Ada")
    db.session.remove()
    page = browser.new_context().new_page()
    violations = _violations(page)
    sign_in_page(page, system, "ada@helpdesk.test")
    expect(page.locator("#live-status")).to_have_text("live")  # the inbox's scripts ran
    for path, ready in (("/supervisor", "#wallboard"), ("/api/v1/docs", ".swagger-ui .info")):
        page.goto(f"{system}{path}")
        expect(page.locator(ready).first).to_be_visible()
    assert violations == []

    injected = page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.appendChild(script);
        return window.injected === true;
    }""")
    assert injected is False
    assert any("Content Security Policy" in text for text in violations)
