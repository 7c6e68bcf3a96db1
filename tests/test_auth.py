"""Staff sign-in: CSRF, argon2id, throttling, logout everywhere, API keys."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from tests.factories import PASSWORD, csrf_token, make_agent


def _post_login(client, email, password, with_token=True):
    data = {"email": email, "password": password}
    if with_token:
        data["csrf_token"] = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data=data)


def test_login_requires_csrf_token(client):
    make_agent("ana@helpdesk.test")
    response = _post_login(client, "ana@helpdesk.test", PASSWORD, with_token=False)
    assert response.status_code == 400
    assert client.get("/agent").status_code == 302


def test_wrong_password_is_refused_and_page_is_protected(client):
    make_agent("ana@helpdesk.test")
    assert _post_login(client, "ana@helpdesk.test", "wrong-password").status_code == 401
    assert _post_login(client, "nobody@helpdesk.test", "wrong-password").status_code == 401
    assert client.get("/agent").headers["Location"].startswith("/login")


def test_login_sets_hardened_session_cookie(client):
    make_agent("ana@helpdesk.test")
    response = _post_login(client, "ana@helpdesk.test", PASSWORD)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/agent").status_code == 200


@pytest.fixture
def app_config():
    return {"LOGIN_RATE_LIMIT": "3/minute"}


def test_repeated_failures_are_throttled(client):
    make_agent("ana@helpdesk.test")
    codes = [_post_login(client, "ana@helpdesk.test", "nope-nope").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    # Even the right password is refused while throttled.
    assert _post_login(client, "ana@helpdesk.test", PASSWORD).status_code == 429


def test_successful_logins_do_not_count_towards_throttle(client):
    make_agent("ana@helpdesk.test")
    for _ in range(5):
        assert _post_login(client, "ana@helpdesk.test", PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/agent").get_data(as_text=True))})


def test_logout_everywhere_ends_other_sessions(app, client):
    make_agent("ana@helpdesk.test")
    laptop, phone = client, app.test_client()
    assert _post_login(laptop, "ana@helpdesk.test", PASSWORD).status_code == 302
    assert _post_login(phone, "ana@helpdesk.test", PASSWORD).status_code == 302
    token = csrf_token(laptop.get("/agent").get_data(as_text=True))
    assert laptop.post("/logout", data={"csrf_token": token, "everywhere": "1"}).status_code == 302
    db.session.expire_all()
    assert phone.get("/agent").status_code == 302     # the other session is gone too


def test_inactive_agent_cannot_sign_in(client):
    agent = make_agent("ana@helpdesk.test")
    agent.active = False
    db.session.commit()
    assert _post_login(client, "ana@helpdesk.test", PASSWORD).status_code == 401
