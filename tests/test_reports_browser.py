"""The supervisor reports page in headless Chromium against the real server: Chart.js (served from
static/vendor, no CDN) draws a chart above each table, the table shows the seeded tickets' figures,
and changing the range and the time zone in the form gives the new figures.

Also, opt-in (HELPDESK_SCREENSHOTS=1), docs/screenshots/supervisor-reports.png from demo data."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket
from tests import factories
from tests.processes import sign_in_page

pytestmark = pytest.mark.slow
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

# Acme: 03-02 20:00Z (Manila 03-03), 03-03 10:00Z, 03-05 09:00Z; Bolt: 03-03 18:00Z (Manila 03-04).
SEED = [
    ("acme", "email", datetime(2026, 3, 2, 20, 0, tzinfo=UTC)),
    ("acme", "chat", datetime(2026, 3, 3, 10, 0, tzinfo=UTC)),
    ("bolt", "phone", datetime(2026, 3, 3, 18, 0, tzinfo=UTC)),
    ("acme", "email", datetime(2026, 3, 5, 9, 0, tzinfo=UTC)),
]

# Pixels of the canvas that are not transparent: Chart.js drew something.
INKED = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { inked++; } }
  return inked;
}"""


def seed(client) -> None:
    factories.make_region("manila", tz="Asia/Manila")
    keys = {slug: factories.make_client(slug, region_slugs=["manila"])[1] for slug in ("acme", "bolt")}
    for slug, channel, created in SEED:
        response = client.post("/api/v1/tickets", json={"subject": "Parcel lost", "channel": channel},
                               headers=factories.auth(keys[slug]))
        assert response.status_code == 201, response.json
        db.session.get(Ticket, response.json["id"]).created_at = created
    db.session.commit()


def cells(page, table: str) -> dict[str, str]:
    rows = page.locator(f"#table-{table} tbody tr")
    out = {}
    for i in range(rows.count()):
        texts = rows.nth(i).locator("td").all_inner_texts()
        out[texts[0]] = texts[1]
    return out


def test_reports_page_draws_charts_and_follows_the_form(app, client, system, browser):
    from playwright.sync_api import expect

    seed(client)
    lead = factories.make_agent("lea@helpdesk.test", role="supervisor", region_slug="manila", name="Lea").email
    db.session.remove()  # release SQLite's write lock for the server processes

    page = browser.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    failed = []  # every script and style loads: the page asks for no favicon of its own
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    sign_in_page(page, system, lead)
    page.goto(f"{system}/supervisor/reports?report=volume&from=2026-03-01&to=2026-03-31&tz=UTC&group_by=client")

    canvas = page.locator("#table-volume_by_client canvas.report-chart")
    expect(canvas).to_have_attribute("data-drawn", "1")
    assert canvas.evaluate(INKED) > 500
    assert page.evaluate("typeof window.Chart") == "function"  # the vendored Chart.js, same origin
    assert cells(page, "volume_by_client") == {"Acme": "3", "Bolt": "1"}
    expect(page.locator("#live-status")).to_be_hidden()  # no socket on this page

    # One day, in UTC, through the form.
    page.fill("#report-from", "2026-03-03")
    page.fill("#report-to", "2026-03-03")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**from=2026-03-03&to=2026-03-03**")
    expect(page.locator("#table-volume_by_client canvas")).to_have_attribute("data-drawn", "1")
    assert cells(page, "volume_by_client") == {"Acme": "1", "Bolt": "1"}

    # The same local day in Manila holds Acme's two tickets and not Bolt's.
    page.fill("#report-tz", "Asia/Manila")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**tz=Asia%2FManila**")
    assert cells(page, "volume_by_client") == {"Acme": "2"}

    # Per day, a stacked bar chart per channel.
    page.select_option("#report-group-by", "day")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**group_by=day**")
    day_chart = page.locator("#table-volume_by_day canvas")
    expect(day_chart).to_have_attribute("data-drawn", "1")
    assert day_chart.evaluate(INKED) > 500
    assert cells(page, "volume_by_day") == {"2026-03-03": "2"}

    # Another report by its tab: same range and zone; percentages on a 0-100 % axis.
    page.get_by_role("link", name="SLA compliance").click()
    page.wait_for_url("**report=sla&from=2026-03-03&to=2026-03-03&tz=Asia/Manila")
    expect(page.locator("#table-sla_by_client canvas")).to_have_attribute("data-drawn", "1")
    assert page.evaluate("Chart.getChart(document.querySelector('#table-sla_by_client canvas')).scales.y.max") == 100
    # Or by the report picker, which runs it at once.
    page.select_option("#report-name", "backlog")
    page.wait_for_url("**report=backlog**")
    expect(page.locator("#table-backlog_by_day canvas")).to_have_attribute("data-drawn", "1")
    assert cells(page, "backlog_by_day") == {"2026-03-03": "2"}  # created that day (Manila)

    # A bad range: the form says why, nothing is drawn.
    page.fill("#report-from", "2026-03-09")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-error")).to_contain_text("'from' (2026-03-09) is after 'to' (2026-03-03).")
    assert page.locator("canvas").count() == 0
    # Chromium logs the failed loads ("Failed to load resource"): the favicon and the 400 page.
    assert [p for p in problems if not p.startswith("Failed to load resource")] == []
    assert failed == [page.url]  # only the bad query answered an error


@pytest.mark.skipif(os.environ.get("HELPDESK_SCREENSHOTS") != "1", reason="set HELPDESK_SCREENSHOTS=1")
def test_screenshot_of_the_reports_page(app, system, browser):
    from playwright.sync_api import expect

    from helpdesk.admin import demo

    demo.seed(ticket_count=300)
    db.session.remove()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    page.goto(f"{system}/login")
    page.get_by_label("Email").fill("lead.manila@helpdesk.test")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{system}/agent")
    page.goto(f"{system}/supervisor/reports?report=response_times")
    expect(page.locator("canvas.report-chart").first).to_have_attribute("data-drawn", "1")
    page.screenshot(path=str(SCREENSHOTS / "supervisor-reports.png"))
