"""The /admin set-up pages over HTTP: each change is checked where it matters (the API, sign-in,
SLA due times, the agent's macro list), plus roles, CSRF, validation (400, never 500) and escaping."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from helpdesk.client import clients
from helpdesk.models import Agent, ApiKey, Calendar, Client, Macro, OlaTarget, Region, SlaPolicy, SupportAddress
from tests import factories
from tests.mail_helpers import signed_headers
from tests.test_agent_workspace_browser import XSS

SECRET_RE = re.compile(r'class="secret" data-secret="[^"]*">([^<]+)<')


@pytest.fixture
def admin(app, client, login):
    agent = factories.make_agent("ada@helpdesk.test", role="admin", name="Ada")
    login(agent.email)
    return agent


def token_of(http, url: str) -> str:
    page = http.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)
    return factories.csrf_token(page.get_data(as_text=True))


def submit(http, url: str, data: dict, *, form_url: str | None = None):
    """Post a form the way a browser does: with the CSRF token of the page that shows it."""
    body = {"csrf_token": token_of(http, form_url or url), **data}
    return http.post(url, data=body)


def text(response) -> str:
    return response.get_data(as_text=True)


def client_form(**overrides) -> dict:
    form = {"name": "Initech", "slug": "initech", "ticket_prefix": "INI", "active": "1",
            "channels": ["email", "api", "chat"], "languages": "en de", "default_language": "en",
            "calendar_id": "new", "timezone": "Europe/Berlin", "csat_enabled": "1", "auto_ack_enabled": "1",
            "support_addresses": "help@initech.example\nbilling@initech.example",
            "chat_allowed_origins": "https://www.initech.example", "default_phone_region": "DE"}
    form.update(overrides)
    return form


def shown_secret(response) -> str:
    match = SECRET_RE.search(text(response))
    assert match, text(response)
    return html.unescape(match.group(1))


def post_ticket(http, key: str, **body):
    return http.post("/api/v1/tickets", headers=factories.auth(key),
                     json={"subject": "Printer on fire", "channel": "api", **body})


# --- roles and navigation -------------------------------------------------------------

def test_only_admins_reach_the_admin_pages(app, client, login):
    factories.make_agent("ana@helpdesk.test")
    factories.make_agent("lea@helpdesk.test", role="supervisor")
    paths = ["/admin", "/admin/clients", "/admin/clients/new", "/admin/calendars", "/admin/regions",
             "/admin/agents", "/admin/agents/new", "/admin/macros", "/admin/macros/new"]
    assert client.get("/admin").status_code == 302  # signed out: to the sign-in page
    for email in ("ana@helpdesk.test", "lea@helpdesk.test"):
        login(email)
        for path in paths:
            assert client.get(path).status_code == 403, (email, path)
        inbox = text(client.get("/agent"))
        assert 'href="/admin"' not in inbox  # no link to pages they may not open
        token = factories.csrf_token(inbox)
        refused = client.post("/admin/clients/new", data={**client_form(), "csrf_token": token})
        assert refused.status_code == 403
        client.post("/logout", data={"csrf_token": token})
    assert factories_client_count() == 0


def factories_client_count() -> int:
    from helpdesk.extensions import db

    return len(db.session.scalars(select(Client)).all())


def test_the_admin_page_lists_every_section(admin, client):
    assert 'href="/admin"' in text(client.get("/agent"))  # the top bar links admins here
    page = text(client.get("/admin"))
    for path in ("/admin/clients", "/admin/calendars", "/admin/regions", "/admin/agents", "/admin/macros",
                 "/admin/quarantine", "/admin/mail-outbox"):
        assert f'href="{path}"' in page
        assert client.get(path).status_code == 200, path
    for path, section in (("/admin/clients/new", "/admin/clients"), ("/admin/agents/new", "/admin/agents"),
                          ("/admin", "/admin")):
        assert f'<a href="{section}" class="current" aria-current="page">' in text(client.get(path)), path


# --- clients and their keys ---------------------------------------------------------------

def test_a_client_and_key_made_in_admin_can_post_a_ticket(admin, client, db):
    region = factories.make_region("warsaw")
    factories.make_region("manila", order=0)
    created = submit(client, "/admin/clients/new", client_form(allowed_regions=[str(region.id)]))
    assert created.status_code == 200, text(created)
    key = shown_secret(created)
    assert "shown only this once" in text(created)

    row = db.session.scalar(select(Client).where(Client.slug == "initech"))
    assert (row.name, row.ticket_prefix, row.channels, row.languages) == ("Initech", "INI", ["email", "chat", "api"],
                                                                         ["en", "de"])
    assert [r.slug for r in row.allowed_regions] == ["warsaw"]
    assert row.calendar.timezone == "Europe/Berlin" and row.default_phone_region == "DE"
    assert row.chat_allowed_origins == ["https://www.initech.example"]
    addresses = db.session.scalars(select(SupportAddress).where(SupportAddress.client_id == row.id)).all()
    assert {(a.email, a.is_default) for a in addresses} == {("help@initech.example", True),
                                                            ("billing@initech.example", False)}
    stored = db.session.scalar(select(ApiKey).where(ApiKey.client_id == row.id))
    assert key.split("_", 2)[2] not in stored.key_hash and key not in stored.key_hash  # only a hash is kept

    ticket = post_ticket(client, key)
    assert ticket.status_code == 201, ticket.get_data(as_text=True)
    assert ticket.json["reference"].startswith("INI-")
    assert ticket.json["region"] == "warsaw"  # the only allowed region, though manila comes first in the chain

    # The key is never shown again.
    assert key not in text(client.get(f"/admin/clients/{row.id}/secrets"))
    assert key not in text(client.get(f"/admin/clients/{row.id}"))


def test_api_keys_are_created_and_revoked_in_admin(admin, client, db):
    factories.make_region()
    client_id, first_key = factories.make_client("acme")
    url = f"/admin/clients/{client_id}/secrets"
    made = submit(client, f"/admin/clients/{client_id}/api-keys", {"name": "crm"}, form_url=url)
    assert made.status_code == 200
    second_key = shown_secret(made)
    assert post_ticket(client, second_key).status_code == 201

    first = db.session.scalar(select(ApiKey).where(ApiKey.client_id == client_id, ApiKey.name == "default"))
    revoked = submit(client, f"/admin/clients/{client_id}/api-keys/{first.id}/revoke", {}, form_url=url)
    assert revoked.status_code == 302
    assert post_ticket(client, first_key).status_code == 401
    assert post_ticket(client, second_key).status_code == 201

    nameless = submit(client, f"/admin/clients/{client_id}/api-keys", {"name": ""}, form_url=url)
    assert nameless.status_code == 400 and "Required." in text(nameless)


def test_the_rotated_webhook_secret_is_shown_once_and_is_the_one_that_verifies(admin, client, db):
    factories.make_region()
    client_id, _ = factories.make_client("acme")
    old = db.session.get(Client, client_id).inbound_webhook_secret
    url = f"/admin/clients/{client_id}/secrets"
    rotated = submit(client, f"/admin/clients/{client_id}/webhook-secret", {}, form_url=url)
    new = shown_secret(rotated)
    assert new.startswith("whsec_") and new != old
    assert new not in text(client.get(url))

    raw = json.dumps({"external_id": "CRM-1", "subject": "Hello", "body": "Hi",
                      "contact": {"email": "dana@customer.example"}}).encode()
    for secret, expected in ((old, 401), (new, 201)):
        headers = {**signed_headers(secret, raw), "Content-Type": "application/json"}
        assert client.post("/inbound/webhook/acme", data=raw, headers=headers).status_code == expected


def test_provider_credentials_are_set_and_cleared(admin, client, db):
    factories.make_region()
    client_id, _ = factories.make_client("acme")
    url = f"/admin/clients/{client_id}/secrets"
    saved = submit(client, f"/admin/clients/{client_id}/provider-secrets",
                   {"twilio_auth_token": "tw-token", "mailgun_signing_key": "mg-key", "basic_auth": "user:pw"},
                   form_url=url)
    assert saved.status_code == 302
    db.session.expire_all()
    row = db.session.get(Client, client_id)
    assert (row.twilio_auth_token, row.mailgun_signing_key) == ("tw-token", "mg-key")
    assert row.inbound_basic_auth_sha256 and "pw" not in row.inbound_basic_auth_sha256
    assert "tw-token" not in text(client.get(url)) and "mg-key" not in text(client.get(url))

    bad = submit(client, f"/admin/clients/{client_id}/provider-secrets", {"basic_auth": "nocolon"}, form_url=url)
    assert bad.status_code == 400 and "user:password" in text(bad)
    cleared = submit(client, f"/admin/clients/{client_id}/provider-secrets",
                     {"clear_twilio": "1", "clear_basic_auth": "1"}, form_url=url)
    assert cleared.status_code == 302
    db.session.expire_all()
    row = db.session.get(Client, client_id)
    assert row.twilio_auth_token is None and row.inbound_basic_auth_sha256 is None
    assert row.mailgun_signing_key == "mg-key"  # left empty: kept


def test_editing_a_client_suspends_it_and_its_keys_stop_working(admin, client, db):
    factories.make_region()
    client_id, key = factories.make_client("acme", name="Acme")
    url = f"/admin/clients/{client_id}"
    form = client_form(name="Acme Retail", slug="acme", ticket_prefix="ACM", calendar_id=str(
        db.session.get(Client, client_id).calendar_id), support_addresses="support@acme.example")
    form.pop("active")
    saved = submit(client, url, form)
    assert saved.status_code == 302, text(saved)
    assert post_ticket(client, key).status_code == 401
    form["active"] = "1"
    assert submit(client, url, form).status_code == 302
    created = post_ticket(client, key)
    assert created.status_code == 201 and created.json["reference"].startswith("ACM-")


def _due_minutes(response) -> float:
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    created = datetime.fromisoformat(body["created_at"])
    return (datetime.fromisoformat(body["sla"]["first_response_due_at"]) - created) / timedelta(minutes=1)


def test_an_sla_policy_edited_in_admin_changes_the_due_time_of_new_tickets(admin, client, db):
    factories.make_region()
    client_id, key = factories.make_client("acme")
    calendar_id = str(db.session.get(Client, client_id).calendar_id)
    url = f"/admin/clients/{client_id}"
    base = client_form(name="Acme", slug="acme", ticket_prefix="ACME", calendar_id=calendar_id,
                       support_addresses="support@acme.example")
    wall_clock = {"sla_urgent_first_response": "30", "sla_urgent_resolution": "240", "sla_urgent_warning": "80"}
    assert submit(client, url, {**base, **wall_clock}).status_code == 302
    policy = db.session.scalar(select(SlaPolicy).where(SlaPolicy.client_id == client_id))
    assert (policy.priority, policy.first_response_minutes, policy.resolution_minutes, policy.business_hours,
            policy.warning_percent) == ("urgent", 30, 240, False, 80)
    assert _due_minutes(post_ticket(client, key, priority="urgent")) == pytest.approx(30, abs=0.05)

    assert submit(client, url, {**base, **wall_clock, "sla_urgent_first_response": "45"}).status_code == 302
    assert _due_minutes(post_ticket(client, key, priority="urgent")) == pytest.approx(45, abs=0.05)

    # Business hours in a calendar closed today: the clock does not start until it opens again.
    today = datetime.now(UTC).date()
    calendar_form = {"name": "Acme hours", "timezone": "UTC", "around_the_clock": "1",
                     "closures": f"{today.isoformat()} Company event\n{(today + timedelta(days=1)).isoformat()}"}
    assert submit(client, f"/admin/calendars/{calendar_id}", calendar_form).status_code == 302
    assert submit(client, url, {**base, **wall_clock, "sla_urgent_business_hours": "1"}).status_code == 302
    # around the clock ignores closures (the module rule), so 24/7 still gives 30 minutes:
    assert _due_minutes(post_ticket(client, key, priority="urgent")) == pytest.approx(30, abs=0.05)
    calendar_form.pop("around_the_clock")
    calendar_form["weekly_hours"] = "\n".join(f"{day} 00:00-24:00" for day in
                                              ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    assert submit(client, f"/admin/calendars/{calendar_id}", calendar_form).status_code == 302
    late = _due_minutes(post_ticket(client, key, priority="urgent"))
    assert late > 24 * 60  # closed until the day after tomorrow (UTC)

    # Emptying the row removes the policy: no due time at all.
    assert submit(client, url, base).status_code == 302
    assert post_ticket(client, key, priority="urgent").json["sla"]["first_response_due_at"] is None


def test_invalid_client_forms_are_400_with_messages_and_save_nothing(admin, client, db):
    factories.make_region()
    other_id, _ = factories.make_client("acme")
    bad = submit(client, "/admin/clients/new", client_form(
        slug="Not A Slug", channels=[], languages="english!", timezone="Mars/Olympus", ticket_prefix="a-b",
        support_addresses="not-an-address", chat_allowed_origins="javascript:alert(1)",
        sla_high_first_response="-5", default_phone_region="ZZ"))
    assert bad.status_code == 400
    page = text(bad)
    for message in ("Use 2-63 lowercase letters", "Pick at least one channel", "is not a language code",
                    "Unknown time zone", "capital letters and digits", "is not an email address",
                    "scheme://host[:port]", "Between 1 and", "ISO country code"):
        assert message in html.unescape(page), message
    assert 'aria-invalid="true"' in page and 'role="alert"' in page
    assert db.session.scalar(select(Client).where(Client.name == "Initech")) is None

    taken = submit(client, "/admin/clients/new", client_form(slug="acme", support_addresses="support@acme.example"))
    assert taken.status_code == 400
    assert "A client with slug" in html.unescape(text(taken))
    assert "already another client" in text(taken)
    clients.configure_email("acme", support_address="support@fresh.example")
    fallback_taken = submit(client, "/admin/clients/new", client_form(slug="fresh", support_addresses=""))
    assert fallback_taken.status_code == 400 and "the default one is taken" in text(fallback_taken)
    assert client.get("/admin/clients/9999").status_code == 404
    garbage = submit(client, f"/admin/clients/{other_id}", {"calendar_id": "x", "allowed_regions": ["abc", "999"],
                                                            "retention_days": "1e9"}, form_url="/admin/clients/new")
    assert garbage.status_code == 400


def test_names_are_escaped_everywhere(admin, client, db):
    factories.make_region()
    created = submit(client, "/admin/clients/new", client_form(name="Acme " + XSS))
    assert created.status_code == 200
    for path in ("/admin/clients", f"/admin/clients/{db.session.scalar(select(Client.id))}", "/admin/agents/new",
                 "/admin/macros/new"):
        page = text(client.get(path))
        assert "<img src=x" not in page and "<script>window" not in page, path
        assert "&lt;img src=x" in page, path
    macro = submit(client, "/admin/macros/new", {"name": XSS, "body": XSS})
    assert macro.status_code == 302
    page = text(client.get("/admin/macros"))
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_csrf_is_enforced_on_admin_forms(admin, client, db):
    factories.make_region()
    client_id, _ = factories.make_client("acme")
    for path, data in (("/admin/clients/new", client_form()), ("/admin/macros/new", {"name": "x", "body": "y"}),
                       (f"/admin/clients/{client_id}/webhook-secret", {}),
                       ("/admin/agents/new", {"email": "x@helpdesk.test", "password": "long-enough-1"})):
        for forged in ({}, {"csrf_token": "forged"}):
            refused = client.post(path, data={**data, **forged})
            assert refused.status_code == 400, path
            assert "CSRF" in text(refused)
    assert db.session.scalar(select(Macro)) is None
    assert len(db.session.scalars(select(Client)).all()) == 1


# --- calendars and regions --------------------------------------------------------------

def test_a_calendar_is_created_and_validated(admin, client, db):
    created = submit(client, "/admin/calendars/new", {
        "name": "Manila shifts", "timezone": "Asia/Manila", "holiday_country": "ph",
        "weekly_hours": "mon 06:00-15:00\ntue: 06:00-15:00, 22:00-02:00", "closures": "2026-12-31 New Year's Eve"})
    assert created.status_code == 302, text(created)
    calendar = db.session.scalar(select(Calendar).where(Calendar.name == "Manila shifts"))
    assert calendar.weekly_hours == {"mon": [["06:00", "15:00"]], "tue": [["06:00", "15:00"], ["22:00", "02:00"]]}
    assert calendar.holiday_country == "PH"
    assert [(c.day.isoformat(), c.reason) for c in calendar.closures] == [("2026-12-31", "New Year's Eve")]
    page = text(client.get(f"/admin/calendars/{calendar.id}"))
    assert "tue 06:00-15:00, 22:00-02:00" in page

    bad = submit(client, "/admin/calendars/new", {"name": "", "timezone": "Nowhere/Land", "holiday_country": "XX",
                                                  "weekly_hours": "funday 09:00-17:00\nmon 9-5",
                                                  "closures": "tomorrow"})
    assert bad.status_code == 400
    page = html.unescape(text(bad))
    for message in ("Required.", "Unknown time zone", "No holiday calendar", "start the line with a day",
                    "is not an interval", "start the line with a date"):
        assert message in page, message
    assert len(db.session.scalars(select(Calendar)).all()) == 1


def _one_minute_half_a_week_away(zone: str) -> str:
    """Opening hours of one minute, 84 hours from now in `zone`: off shift whenever the test runs."""
    then = datetime.now(ZoneInfo(zone)) + timedelta(hours=84)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[then.weekday()]
    start = then.replace(minute=then.minute - then.minute % 2)
    return f"{day} {start:%H:%M}-{start + timedelta(minutes=1):%H:%M}"


def test_regions_and_shifts_set_in_admin_decide_where_tickets_go(admin, client, db):
    client_id, key = factories.make_client("acme")
    all_week = "\n".join(f"{d} 00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    closed = _one_minute_half_a_week_away("Asia/Manila")  # never on shift while the test runs
    first = submit(client, "/admin/regions/new", {
        "name": "Manila", "slug": "manila", "chain_order": "1", "active": "1", "timezone": "Asia/Manila",
        "weekly_hours": closed, "handoff_policy": "handoff", "ola_urgent_first_response": "20",
        "ola_urgent_resolution": "120"})
    assert first.status_code == 302, text(first)
    second = submit(client, "/admin/regions/new", {
        "name": "Warsaw", "slug": "warsaw", "chain_order": "2", "active": "1", "timezone": "Europe/Warsaw",
        "weekly_hours": all_week, "holiday_country": "", "handoff_policy": "keep"})
    assert second.status_code == 302, text(second)
    manila = db.session.scalar(select(Region).where(Region.slug == "manila"))
    assert (manila.chain_order, manila.handoff_policy, manila.calendar.timezone) == (1, "handoff", "Asia/Manila")
    ola = db.session.scalar(select(OlaTarget).where(OlaTarget.region_id == manila.id))
    assert (ola.priority, ola.first_response_minutes, ola.resolution_minutes) == ("urgent", 20, 120)
    assert post_ticket(client, key).json["region"] == "warsaw"  # manila is off shift

    # Manila now works around the clock: it is first in the chain and takes the next ticket.
    edited = submit(client, f"/admin/regions/{manila.id}", {
        "name": "Manila", "slug": "manila", "chain_order": "1", "active": "1", "timezone": "Asia/Manila",
        "weekly_hours": closed, "around_the_clock": "1", "handoff_policy": "handoff",
        "ola_urgent_first_response": "20", "ola_urgent_resolution": "120"})
    assert edited.status_code == 302, text(edited)
    assert post_ticket(client, key).json["region"] == "manila"

    # Deactivated: it takes no more tickets.
    assert submit(client, f"/admin/regions/{manila.id}", {
        "name": "Manila", "slug": "manila", "chain_order": "1", "timezone": "Asia/Manila",
        "weekly_hours": closed, "around_the_clock": "1", "handoff_policy": "handoff"}).status_code == 302
    assert post_ticket(client, key).json["region"] == "warsaw"
    assert db.session.scalar(select(OlaTarget)) is None  # rows emptied: targets removed

    dup = submit(client, "/admin/regions/new", {"name": "Again", "slug": "warsaw", "chain_order": "x",
                                                "timezone": "UTC", "weekly_hours": "", "handoff_policy": "eject"})
    assert dup.status_code == 400
    page = html.unescape(text(dup))
    for message in ("A region with slug", "Give a whole number", "Give opening hours", "One of keep, handoff"):
        assert message in page, message
    assert client_id


# --- agents -----------------------------------------------------------------------------

def agent_form(**overrides) -> dict:
    form = {"email": "Nina@Helpdesk.test", "password": "a-long-password", "name": "Nina", "role": "agent",
            "timezone": "Asia/Manila", "languages": "en es", "channels": ["email", "chat"], "capacity_email": "5",
            "capacity_chat": "3", "active": "1"}
    form.update(overrides)
    return form


def test_an_agent_created_in_admin_can_sign_in_with_those_skills(admin, app, client, db, login):
    region = factories.make_region("manila")
    client_id, _ = factories.make_client("acme")
    created = submit(client, "/admin/agents/new", agent_form(region_id=str(region.id), clients=[str(client_id)]))
    assert created.status_code == 302, text(created)
    nina = db.session.scalar(select(Agent).where(Agent.email == "nina@helpdesk.test"))
    assert nina.password_hash.startswith("$argon2id$")
    assert (nina.role, nina.region_id, nina.timezone, nina.languages, nina.channels) == (
        "agent", region.id, "Asia/Manila", ["en", "es"], ["email", "chat"])
    assert nina.capacity == {"email": 5, "phone": 0, "chat": 3, "web": 0, "api": 0}
    assert (nina.all_clients, [c.id for c in nina.clients]) == (False, [client_id])

    other = app.test_client()
    login("nina@helpdesk.test", "a-long-password", test_client=other)
    assert other.get("/agent").status_code == 200
    assert other.get("/admin").status_code == 403


def test_deactivating_an_agent_in_admin_ends_their_session(admin, app, client, db, login):
    ana = factories.make_agent("ana@helpdesk.test", name="Ana")
    laptop = app.test_client()
    login("ana@helpdesk.test", test_client=laptop)
    assert laptop.get("/agent").status_code == 200
    form = agent_form(name="Ana", timezone="UTC", all_clients="1")
    form.pop("active")
    saved = submit(client, f"/admin/agents/{ana.id}", form)
    assert saved.status_code == 302, text(saved)
    assert laptop.get("/agent").status_code == 302  # signed out
    assert "Ana" in text(client.get("/admin/agents")) and "deactivated" in text(client.get("/admin/agents"))
    refused = laptop.post("/login", data={"email": "ana@helpdesk.test", "password": factories.PASSWORD,
                                          "csrf_token": token_of(laptop, "/login")})
    assert refused.status_code == 401


def test_resetting_a_password_replaces_the_old_one_and_ends_sessions(admin, app, client, db, login):
    ana = factories.make_agent("ana@helpdesk.test")
    laptop = app.test_client()
    login("ana@helpdesk.test", test_client=laptop)
    short = submit(client, f"/admin/agents/{ana.id}/password", {"password": "short"},
                   form_url=f"/admin/agents/{ana.id}")
    assert short.status_code == 400 and "At least 8 characters" in text(short)
    reset = submit(client, f"/admin/agents/{ana.id}/password", {"password": "brand-new-secret"},
                   form_url=f"/admin/agents/{ana.id}")
    assert reset.status_code == 302
    assert laptop.get("/agent").status_code == 302
    login("ana@helpdesk.test", "brand-new-secret", test_client=app.test_client())
    old = app.test_client()
    refused = old.post("/login", data={"email": "ana@helpdesk.test", "password": factories.PASSWORD,
                                       "csrf_token": token_of(old, "/login")})
    assert refused.status_code == 401


def test_roles_change_and_bad_agent_forms_are_400(admin, app, client, db, login):
    ana = factories.make_agent("ana@helpdesk.test", name="Ana")
    promoted = submit(client, f"/admin/agents/{ana.id}", agent_form(name="Ana", role="supervisor", all_clients="1"))
    assert promoted.status_code == 302
    lead = app.test_client()
    login("ana@helpdesk.test", test_client=lead)
    assert lead.get("/supervisor").status_code == 200

    bad = submit(client, "/admin/agents/new", agent_form(email="ada@helpdesk.test", password="short", role="boss",
                                                         timezone="Moon/Base", languages="", capacity_chat="-1",
                                                         region_id="999", clients=["888"]))
    assert bad.status_code == 400
    page = html.unescape(text(bad))
    for message in ("An agent with email", "At least 8 characters", "One of agent, supervisor, admin",
                    "Unknown time zone", "Give at least one language", "Between 0 and 100", "Unknown region",
                    "Unknown client company"):
        assert message in page, message
    # An admin cannot lock themselves out.
    self_demote = submit(client, f"/admin/agents/{admin.id}", agent_form(name="Ada", role="agent"))
    assert self_demote.status_code == 400 and "your own admin access" in text(self_demote)
    db.session.expire_all()
    assert db.session.get(Agent, admin.id).role == "admin"


# --- macros -----------------------------------------------------------------------------

def test_a_macro_made_in_admin_is_in_the_agents_macro_list(admin, app, client, db, login):
    factories.make_region()
    acme_id, key = factories.make_client("acme")
    globex_id, _ = factories.make_client("globex")
    ticket = post_ticket(client, key).json
    made = submit(client, "/admin/macros/new", {"name": "Ask for order", "client_id": str(acme_id),
                                                "body": "Hi {{contact.first_name}}, your order number?",
                                                "status": "pending", "add_tags": "needs-info, order"})
    assert made.status_code == 302, text(made)
    other = submit(client, "/admin/macros/new", {"name": "Globex only", "client_id": str(globex_id), "body": "Hi"})
    assert other.status_code == 302
    macro = db.session.scalar(select(Macro).where(Macro.name == "Ask for order"))
    assert macro.actions == {"status": "pending", "add_tags": ["needs-info", "order"]}

    agent = factories.make_agent("ana@helpdesk.test")
    desk = app.test_client()
    login(agent.email, test_client=desk)
    listed = desk.get(f"/agent/api/tickets/{ticket['id']}/macros")
    assert listed.status_code == 200
    assert [m["name"] for m in listed.json["macros"]] == ["Ask for order"]

    edited = submit(client, f"/admin/macros/{macro.id}", {"name": "Ask for the order", "client_id": "",
                                                          "body": "Order number please", "priority": "high"})
    assert edited.status_code == 302
    names = [m["name"] for m in desk.get(f"/agent/api/tickets/{ticket['id']}/macros").json["macros"]]
    assert names == ["Ask for the order"]

    bad = submit(client, f"/admin/macros/{macro.id}", {"name": "", "body": "Hi {{contact.shoe_size}}",
                                                       "status": "closed", "client_id": "77"})
    assert bad.status_code == 400
    page = html.unescape(text(bad))
    for message in ("Required.", "Unknown placeholder {{contact.shoe_size}}", "status must be one of",
                    "Unknown client company"):
        assert message in page, message

    deleted = submit(client, f"/admin/macros/{macro.id}/delete", {}, form_url="/admin/macros")
    assert deleted.status_code == 302
    assert desk.get(f"/agent/api/tickets/{ticket['id']}/macros").json["macros"] == []


def test_hostile_input_is_a_400_or_404_never_a_500(admin, client, db):
    factories.make_region()
    client_id, _ = factories.make_client("acme")
    huge = "99999999999999999999"
    for path in (f"/admin/clients/{huge}", f"/admin/agents/{huge}", f"/admin/regions/{huge}",
                 f"/admin/calendars/{huge}", f"/admin/macros/{huge}", f"/admin/clients/{huge}/secrets"):
        assert client.get(path).status_code == 404, path
    revoke = submit(client, f"/admin/clients/{client_id}/api-keys/{huge}/revoke", {},
                    form_url=f"/admin/clients/{client_id}/secrets")
    assert revoke.status_code == 404
    hostile = {"name": "Nul\x00Co", "slug": "nul-co", "calendar_id": huge, "allowed_regions": [huge, "²"],
               "retention_days": "٣", "sla_low_first_response": "9" * 40, "languages": "en\x00"}
    response = submit(client, "/admin/clients/new", client_form(**hostile))
    assert response.status_code == 400
    agent = submit(client, "/admin/agents/new", agent_form(region_id=huge, clients=[huge], capacity_email="1e3"))
    assert agent.status_code == 400
    macro = submit(client, "/admin/macros/new", {"name": "x", "body": "y", "client_id": huge,
                                                 "add_tags": "a\x00b"})
    assert macro.status_code == 400 and "Unknown client company" in text(macro)
    assert len(db.session.scalars(select(Client)).all()) == 1


def test_changes_are_logged_with_the_admin_who_made_them(admin, client, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="helpdesk.admin")
    assert submit(client, "/admin/macros/new", {"name": "Thanks", "body": "Thank you!"}).status_code == 302
    changes = [r.admin_change for r in caplog.records if hasattr(r, "admin_change")]
    assert changes == [{"macro": "Thanks", "client_id": None, "by_agent_id": admin.id}]
