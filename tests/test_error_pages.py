"""The product's own error pages (403, 404, 500) with the way back, and where each role lands."""

from __future__ import annotations

from tests import factories
from tests.factories import auth, make_client
from tests.support import other_app
from tests.test_errors import SECRET

BARE_FRAMEWORK_TEXT = ("You don't have the permission", "The requested URL was not found")


def _signed_in(client, login, role: str = "agent"):
    agent = factories.make_agent(f"{role}@helpdesk.test", role=role)
    login(agent.email)
    return agent


def test_an_agent_opening_the_wallboard_gets_our_403_page_with_the_reason_and_the_way_back(client, login):
    _signed_in(client, login)
    for path, reason in (("/supervisor", "The wallboard is for supervisors and admins"),
                         ("/supervisor/reports", "Reports are for supervisors and admins"),
                         ("/supervisor/qa", "Quality reviews are for supervisors and admins"),
                         ("/admin", "The admin pages are for admins")):
        response = client.get(path, headers={"Referer": "http://localhost/agent?view=queue"})
        page = response.get_data(as_text=True)
        assert response.status_code == 403, path
        assert reason in page and "you are signed in as agent" in page
        assert 'class="topbar"' in page  # the product's frame, with its navigation
        assert 'href="/agent"' in page and "Go to the inbox" in page
        assert 'href="http://localhost/agent?view=queue"' in page  # back where they came from
        assert not any(text in page for text in BARE_FRAMEWORK_TEXT)


def test_a_missing_page_is_our_404_and_a_foreign_referrer_is_not_offered_as_the_way_back(client, login):
    _signed_in(client, login)
    response = client.get("/agent/tickets/999999", headers={"Referer": "https://evil.example/phish"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "There is nothing here" in page and "evil.example" not in page
    assert "Go to the inbox" in page


def test_signed_out_visitors_are_offered_sign_in(client):
    page = client.get("/no-such-page").get_data(as_text=True)
    assert "There is nothing here" in page and 'href="/login' in page


def test_a_failure_is_our_500_page_without_internals(app_factory, login):
    with other_app(app_factory) as boom_app:
        @boom_app.get("/boom-page")
        def boom():
            raise RuntimeError(SECRET)

        http = boom_app.test_client()
        response = http.get("/boom-page", headers={"Accept": "text/html"})
        page = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Something went wrong on our side" in page and SECRET not in page and "Traceback" not in page
        assert 'class="topbar"' in page


def test_json_callers_still_get_the_envelope(client, login):
    _signed_in(client, login)
    response = client.get("/supervisor", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_a_supervisor_lands_on_all_open_tickets_and_an_agent_on_their_own(client, login, app):
    factories.make_region()
    _, key = make_client("acme")
    created = client.post("/api/v1/tickets", json={"subject": "Waiting for anyone", "body": "x"}, headers=auth(key))
    assert created.status_code == 201
    agent = factories.make_agent("ana@helpdesk.test")
    lead = factories.make_agent("lead@helpdesk.test", role="supervisor")

    login(lead.email)
    page = client.get("/agent").get_data(as_text=True)
    current = page.split('class="view current"', 1)[1].split("</a>", 1)[0]
    assert current.endswith("All open")
    assert "Waiting for anyone" in page
    assert [t["subject"] for t in client.get("/agent/api/inbox").get_json()["tickets"]] == ["Waiting for anyone"]

    other = app.test_client()
    login(agent.email, test_client=other)
    assert other.get("/agent/api/inbox").get_json()["tickets"] == []  # "My tickets": none assigned yet
    assert "Waiting for anyone" not in other.get("/agent").get_data(as_text=True)
