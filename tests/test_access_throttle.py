"""Failed sign-ins are throttled per address and account, per account and per address (flask-limiter on Redis)."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, csrf_token, make_agent


@pytest.fixture
def app_config():
    return {"LOGIN_RATE_LIMIT": "3/minute", "LOGIN_ACCOUNT_RATE_LIMIT": "5/minute",
            "LOGIN_ADDRESS_RATE_LIMIT": "8/minute"}


def _attempt(browser, email, password="wrong-password", address="10.0.0.1", accept="text/html"):
    environ = {"REMOTE_ADDR": address}
    token = csrf_token(browser.get("/login", environ_base=environ).get_data(as_text=True))
    return browser.post("/login", data={"email": email, "password": password, "csrf_token": token},
                        environ_base=environ, headers={"Accept": accept})


def _assert_throttled(response, *, as_json: bool) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    if as_json:
        assert response.json["error"]["code"] == "rate_limited"
    else:
        assert response.mimetype == "text/html" and "429" in response.get_data(as_text=True)


def test_repeated_failures_for_one_account_answer_429_with_retry_after(app, client):
    make_agent("ana@helpdesk.test")
    assert [_attempt(client, "ana@helpdesk.test").status_code for _ in range(3)] == [401, 401, 401]
    _assert_throttled(_attempt(client, "ana@helpdesk.test"), as_json=False)
    _assert_throttled(_attempt(client, "ana@helpdesk.test", accept="application/json"), as_json=True)
    # The right password waits too: otherwise the throttle would tell a guesser when they hit.
    assert _attempt(client, "ana@helpdesk.test", PASSWORD).status_code == 429


def test_another_accounts_failures_do_not_block_a_sign_in(app, client):
    make_agent("ana@helpdesk.test")
    make_agent("bea@helpdesk.test")
    for _ in range(4):
        _attempt(client, "ana@helpdesk.test")
    assert _attempt(client, "ana@helpdesk.test", PASSWORD).status_code == 429
    # Same office address, other account: not affected.
    assert _attempt(app.test_client(), "bea@helpdesk.test", PASSWORD).status_code == 302


def test_guessing_one_account_from_many_addresses_is_throttled(app, client):
    make_agent("ana@helpdesk.test")
    codes = [_attempt(client, "ana@helpdesk.test", address=f"10.0.1.{n}").status_code for n in range(6)]
    assert codes == [401] * 5 + [429]


def test_one_address_guessing_many_accounts_is_throttled(app, client):
    codes = [_attempt(client, f"user{n}@helpdesk.test").status_code for n in range(9)]
    assert codes == [401] * 8 + [429]
    # Another address is unaffected.
    assert _attempt(client, "user99@helpdesk.test", address="10.0.0.2").status_code == 401


def test_successful_sign_ins_never_count(app, client):
    make_agent("ana@helpdesk.test")
    for _ in range(10):
        browser = app.test_client()
        assert _attempt(browser, "ana@helpdesk.test", PASSWORD).status_code == 302
