"""Staff access over HTTP: argon2id and rehash, cookie flags, CSRF, logout everywhere, deactivation."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from helpdesk.extensions import db
from helpdesk.models import Agent
from helpdesk.platform import security
from tests.factories import PASSWORD, csrf_token, make_agent

META_CSRF = 'name="csrf-token" content="'


def _sign_in(browser, email: str, remember: bool = False):
    token = csrf_token(browser.get("/login").get_data(as_text=True))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = browser.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _page_token(browser) -> str:
    page = browser.get("/agent").get_data(as_text=True)
    start = page.index(META_CSRF) + len(META_CSRF)
    return page[start:page.index('"', start)]


def _stored_hash(agent_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Agent, agent_id).password_hash


def test_passwords_are_argon2id_with_the_stated_parameters(app):
    params = extract_parameters(security.hash_password(PASSWORD))
    assert params.type is Type.ID
    assert (params.time_cost, params.memory_cost, params.parallelism) == (
        security.PASSWORD_TIME_COST, security.PASSWORD_MEMORY_KIB, security.PASSWORD_PARALLELISM)
    assert params.memory_cost >= 19 * 1024  # OWASP's floor for argon2id


@pytest.mark.parametrize("old_hasher", [
    PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),        # weaker parameters
    PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, type=Type.I),   # another variant
], ids=["cheaper", "argon2i"])
def test_sign_in_rehashes_a_password_stored_with_old_parameters(app, client, old_hasher):
    agent = make_agent("ana@helpdesk.test")
    agent.password_hash = old_hasher.hash(PASSWORD)
    db.session.commit()
    assert security.needs_rehash(agent.password_hash)

    _sign_in(client, agent.email)

    upgraded = _stored_hash(agent.id)
    assert extract_parameters(upgraded) == extract_parameters(security.hash_password("x"))
    assert security.verify_password(upgraded, PASSWORD) and not security.needs_rehash(upgraded)


def test_a_current_hash_is_left_alone_at_sign_in(app, client):
    agent = make_agent("ana@helpdesk.test")
    before = agent.password_hash
    _sign_in(client, agent.email)
    assert _stored_hash(agent.id) == before


def _cookie(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))


def test_session_cookie_is_httponly_lax_and_expires(app, client):
    make_agent("ana@helpdesk.test")
    cookie = _cookie(_sign_in(client, "ana@helpdesk.test"), "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie            # a lifetime, not "until the browser closes"
    assert "Secure" not in cookie          # plain http in development and tests


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}])
def test_secure_flag_on_session_and_remember_cookies_when_configured(app, client):
    make_agent("ana@helpdesk.test")
    response = _sign_in(client, "ana@helpdesk.test", remember=True)
    for name in ("session", "remember_token"):
        cookie = _cookie(response, name)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_production_cookies_are_secure_by_default(monkeypatch):
    from config import ProductionConfig
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/helpdesk")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = ProductionConfig()
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE


def test_state_changing_staff_calls_without_csrf_token_are_refused_with_json(app, client):
    make_agent("ana@helpdesk.test")
    _sign_in(client, "ana@helpdesk.test")
    for path in ("/agent/api/take-next", "/agent/api/presence"):
        response = client.post(path, json={"state": "away"})
        assert response.status_code in (400, 403), path
        assert response.is_json and response.json["error"]["code"] in ("bad_request", "forbidden")
        assert "CSRF" in response.json["error"]["message"]
    forged = client.post("/auth/logout-everywhere", data={"csrf_token": "forged"},
                         headers={"Accept": "application/json"})
    assert forged.status_code == 400 and forged.json["error"]["code"] == "bad_request"
    assert client.get("/agent").status_code == 200      # still signed in: nothing happened


def test_logout_everywhere_signs_out_every_other_browser(app, client):
    agent = make_agent("ana@helpdesk.test")
    laptop, phone, tablet = client, app.test_client(), app.test_client()
    for browser in (laptop, phone):
        _sign_in(browser, agent.email)
    _sign_in(tablet, agent.email, remember=True)
    tablet.delete_cookie("session")                      # only "keep me signed in" is left
    assert tablet.get("/agent").status_code == 200

    response = laptop.post("/auth/logout-everywhere", data={"csrf_token": _page_token(laptop)})

    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    db.session.expire_all()
    for browser in (laptop, phone, tablet):
        assert browser.get("/agent").headers["Location"].startswith("/login")
        assert browser.get("/agent/api/queue").status_code == 401
    _sign_in(phone, agent.email)                         # a new sign-in works as usual
    assert phone.get("/agent").status_code == 200


def test_logout_everywhere_needs_a_signed_in_agent(app, client):
    client.get("/login")
    response = client.post("/auth/logout-everywhere", data={"csrf_token": csrf_token(client.get("/login").text)})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, client):
    agent = make_agent("ana@helpdesk.test")
    _sign_in(client, agent.email)
    agent.active = False
    db.session.commit()
    assert client.get("/agent").headers["Location"].startswith("/login")

    agent.active = True
    db.session.commit()
    db.session.expire_all()
    assert client.get("/agent").headers["Location"].startswith("/login")   # the old cookie stays dead
    _sign_in(client, agent.email)
    assert client.get("/agent").status_code == 200
