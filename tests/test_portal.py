"""The client portal through HTTP: invitations by mail, sign-in, tickets without internal notes,
CSV, figures, API keys, webhooks, colleagues, privacy and the audit trail; and one company's
portal user can reach nothing of another company on any portal route."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from helpdesk.client.clients import flush_key_use
from helpdesk.client.models import ApiKey, Client, PortalUser, WebhookDelivery, WebhookEndpoint
from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.platform import security
from helpdesk.platform.tenancy import TenantScope
from helpdesk.supervision.reports import ReportQuery, run_report
from tests import factories
from tests.factories import auth, csrf_token, make_portal_user

PASSWORD = factories.PORTAL_PASSWORD


@pytest.fixture
def companies(app):
    factories.make_region("manila")
    acme_id, acme_key = factories.make_client("acme", name="Acme Corp")
    globex_id, globex_key = factories.make_client("globex", name="Globex Inc")
    return {"acme": (acme_id, acme_key), "globex": (globex_id, globex_key)}


def sign_in(client, email: str, password: str = PASSWORD):
    page = client.get("/portal/sign-in")
    return client.post("/portal/sign-in", data={"email": email, "password": password,
                                                "csrf_token": csrf_token(page.get_data(as_text=True))})


def token_of(client, path: str = "/portal/tickets") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def new_ticket(client, key: str, subject: str, body: str = "Where is my parcel?", email: str = "pat@example.com"):
    response = client.post("/api/v1/tickets", headers=auth(key),
                           json={"subject": subject, "body": body, "contact": {"email": email, "name": "Pat"}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def add_note_and_reply(ticket_id: int, client_id: int) -> None:
    now = datetime.now(UTC)
    db.session.add(Message(client_id=client_id, ticket_id=ticket_id, kind="note", channel="api",
                           body_text="INTERNAL-NOTE: customer is difficult", created_at=now))
    db.session.add(Message(client_id=client_id, ticket_id=ticket_id, kind="outbound", channel="api",
                           body_text="Your parcel left the depot.", created_at=now))
    db.session.commit()


# --------------------------------------------------------------------------- invitation to tickets


def test_invited_by_the_bpo_admin_sets_a_password_and_reads_only_its_tickets(client, companies, queue, login,
                                                                              outgoing_mail):
    acme_id, acme_key = companies["acme"]
    _, globex_key = companies["globex"]
    factories.make_agent("admin@helpdesk.test", role="admin")
    login("admin@helpdesk.test")
    page = client.get(f"/admin/clients/{acme_id}/portal-users")
    assert page.status_code == 200
    invited = client.post(f"/admin/clients/{acme_id}/portal-users", data={
        "name": "Ada Acme", "email": "Ada@Acme.example", "role": "admin",
        "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert invited.status_code == 302
    duplicate = client.post(f"/admin/clients/{acme_id}/portal-users", data={
        "name": "Again", "email": "ada@acme.example", "role": "admin", "csrf_token": token_of(client, "/admin")})
    assert duplicate.status_code == 409 and "already has a portal account" in duplicate.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token_of(client, "/admin")})

    queue.run()
    (mail,) = outgoing_mail.received
    assert mail["To"] == "ada@acme.example" and "Acme Corp" in mail["Subject"]
    link = re.search(r"http://\S+/portal/invitation/(\S+)", mail.get_content())
    assert link, mail.get_content()
    token = link.group(1)
    user = db.session.scalar(select(PortalUser).where(PortalUser.email == "ada@acme.example"))
    assert user.invite_token_hash == security.hash_secret(token) and token not in str(user.invite_token_hash)

    form = client.get(f"/portal/invitation/{token}")
    assert form.status_code == 200 and "Ada Acme" in form.get_data(as_text=True)
    short = client.post(f"/portal/invitation/{token}", data={
        "password": "short", "password_again": "short", "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    joined = client.post(f"/portal/invitation/{token}", data={
        "password": PASSWORD, "password_again": PASSWORD, "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/portal/tickets")
    assert client.get(f"/portal/invitation/{token}").status_code == 404  # the link is spent

    mine = new_ticket(client, acme_key, "Acme parcel lost")
    add_note_and_reply(mine["id"], acme_id)
    new_ticket(client, acme_key, "Acme invoice question")
    theirs = new_ticket(client, globex_key, "Globex secret merger")
    listing = client.get("/portal/tickets").get_data(as_text=True)
    assert "Acme parcel lost" in listing and "Acme invoice question" in listing
    assert "Globex secret merger" not in listing
    searched = client.get("/portal/tickets?q=invoice").get_data(as_text=True)
    assert "Acme invoice question" in searched and "Acme parcel lost" not in searched
    assert "No tickets match" in client.get("/portal/tickets?status=solved").get_data(as_text=True)
    bad = client.get("/portal/tickets?status=exploded")
    assert bad.status_code == 400 and "Choose from" in bad.get_data(as_text=True)

    shown = client.get(f"/portal/tickets/{mine['id']}").get_data(as_text=True)
    assert "Where is my parcel?" in shown and "Your parcel left the depot." in shown
    assert "INTERNAL-NOTE" not in shown
    assert client.get(f"/portal/tickets/{theirs['id']}").status_code == 404
    assert "INTERNAL-NOTE" not in client.get("/portal/tickets?q=difficult").get_data(as_text=True)

    exported = client.get("/portal/tickets.csv?status=new")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert sorted(row["subject"] for row in rows) == ["Acme invoice question", "Acme parcel lost"]
    assert all(row["reference"].startswith("ACME-") for row in rows)

    trail = client.get("/portal/audit?action=ticket.viewed,tickets.exported,portal_user.joined")
    text = trail.get_data(as_text=True)
    assert trail.status_code == 200
    for action in ("ticket.viewed", "tickets.exported", "portal_user.joined"):
        assert action in text
    assert "portal_admin" in text


def test_sign_in_refuses_wrong_passwords_and_deactivated_accounts(client, companies):
    acme_id, _ = companies["acme"]
    make_portal_user(acme_id, "boss@acme.example")
    member = make_portal_user(acme_id, "mo@acme.example", role="member")
    assert sign_in(client, "boss@acme.example", "wrong-password-here").status_code == 401
    assert sign_in(client, "nobody@acme.example").status_code == 401
    assert client.get("/portal/tickets").status_code == 302
    assert sign_in(client, "mo@acme.example").status_code == 302
    assert client.get("/portal/tickets").status_code == 200
    client.post("/portal/sign-out", data={"csrf_token": token_of(client)})
    assert sign_in(client, "boss@acme.example").status_code == 302
    users = client.get("/portal/users")
    deactivated = client.post(f"/portal/users/{member.id}", data={
        "action": "deactivate", "csrf_token": csrf_token(users.get_data(as_text=True))})
    assert deactivated.status_code == 302
    db.session.refresh(member)
    assert member.active is False
    boss = db.session.scalar(select(PortalUser).where(PortalUser.email == "boss@acme.example"))
    refused = client.post(f"/portal/users/{boss.id}", data={"action": "deactivate", "csrf_token": token_of(client)},
                          follow_redirects=True)
    assert "You cannot remove your own admin rights" in refused.get_data(as_text=True)
    client.post("/portal/sign-out", data={"csrf_token": token_of(client)})
    assert sign_in(client, "mo@acme.example").status_code == 401


def test_a_member_reads_and_is_told_why_changes_are_refused(client, companies):
    acme_id, _ = companies["acme"]
    make_portal_user(acme_id, "mo@acme.example", role="member")
    sign_in(client, "mo@acme.example")
    keys = client.get("/portal/api-keys").get_data(as_text=True)
    assert "Only your company's portal admins can create or revoke keys." in keys
    created = client.post("/portal/api-keys", data={"name": "sneaky", "csrf_token": token_of(client)})
    assert created.status_code == 403 and "portal admins" in created.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApiKey).where(ApiKey.name == "sneaky")) == 0
    assert client.get("/portal/audit").status_code == 403
    privacy = client.post("/portal/privacy", data={"rules": ["emails"], "csrf_token": token_of(client)})
    assert privacy.status_code == 403
    assert db.session.get(Client, acme_id).pii_masking in ({}, None)


# --------------------------------------------------------------------------- the company's set-up


def test_api_keys_webhooks_privacy_and_colleagues_from_the_portal(client, companies, queue, receiver, outgoing_mail):
    acme_id, _ = companies["acme"]
    make_portal_user(acme_id, "boss@acme.example")
    sign_in(client, "boss@acme.example")

    page = client.post("/portal/api-keys", data={"name": "CRM sync", "csrf_token": token_of(client)})
    key = re.search(r'id="secret-value">(hdk_[^<]+)<', page.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/tickets", headers=auth(key)).status_code == 200
    flush_key_use()  # what the periodic job does: write the noted use to last_used_at
    listed = client.get("/portal/api-keys").get_data(as_text=True)
    assert "CRM sync" in listed and "never" not in listed.split("CRM sync")[1].split("</tr>")[0]
    stored = db.session.scalar(select(ApiKey).where(ApiKey.name == "CRM sync"))
    assert client.post(f"/portal/api-keys/{stored.id}/revoke", data={"csrf_token": token_of(client)}).status_code == 302
    assert client.get("/api/v1/tickets", headers=auth(key)).status_code == 401

    bad = client.post("/portal/webhooks", data={"url": "ftp://nope", "event_types": ["ticket.created"],
                                                "csrf_token": token_of(client)})
    assert bad.status_code == 400 and "cannot receive webhooks" in bad.get_data(as_text=True)
    added = client.post("/portal/webhooks", data={"url": receiver.url("/acme"), "event_types": ["*"],
                                                  "description": "Our CRM", "csrf_token": token_of(client)})
    secret = re.search(r'id="secret-value">(whsec_[^<]+)<', added.get_data(as_text=True)).group(1)
    endpoint = db.session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.client_id == acme_id))
    assert endpoint.secret == secret
    client.post(f"/portal/webhooks/{endpoint.id}", data={"action": "test", "csrf_token": token_of(client)})
    queue.run()
    (ping,) = receiver.at("/acme")
    assert ping.body["type"] == "webhook.test"
    log = client.get("/portal/webhooks").get_data(as_text=True)
    assert "webhook.test" in log and "delivered" in log
    client.post(f"/portal/webhooks/{endpoint.id}", data={"action": "disable", "csrf_token": token_of(client)})
    refused = client.post(f"/portal/webhooks/{endpoint.id}", data={"action": "test", "csrf_token": token_of(client)},
                          follow_redirects=True).get_data(as_text=True)
    assert "This endpoint is disabled" in refused
    assert "A disabled endpoint gets nothing" in refused

    invalid = client.post("/portal/privacy", data={"rules": ["cards"], "custom": "order: (a)\\1",
                                                   "csrf_token": token_of(client)})
    assert invalid.status_code == 400 and "Rule 1" in invalid.get_data(as_text=True)
    saved = client.post("/portal/privacy", data={"rules": ["cards", "emails"], "custom": "order number: ORD-\\d{6}",
                                                 "retention_days": "400", "csrf_token": token_of(client)})
    assert saved.status_code == 302
    stored_client = db.session.get(Client, acme_id)
    db.session.refresh(stored_client)
    assert stored_client.pii_masking["emails"] is True and stored_client.retention_days == 400
    assert stored_client.pii_masking["custom"] == [{"name": "order number", "pattern": "ORD-\\d{6}"}]

    invited = client.post("/portal/users", data={"name": "Cy Colleague", "email": "cy@acme.example",
                                                 "role": "member", "csrf_token": token_of(client)})
    assert invited.status_code == 302
    queue.run()
    (mail,) = [m for m in outgoing_mail.received if m["To"] == "cy@acme.example"]
    first_link = re.search(r"/portal/invitation/(\S+)", mail.get_content()).group(1)
    cy = db.session.scalar(select(PortalUser).where(PortalUser.email == "cy@acme.example"))
    client.post(f"/portal/users/{cy.id}", data={"action": "resend", "csrf_token": token_of(client)})
    queue.run()
    second = [m for m in outgoing_mail.received if m["To"] == "cy@acme.example"][-1]
    second_link = re.search(r"/portal/invitation/(\S+)", second.get_content()).group(1)
    assert second_link != first_link
    assert client.get(f"/portal/invitation/{first_link}").status_code == 404
    assert client.get(f"/portal/invitation/{second_link}").status_code == 200

    trail = client.get("/portal/audit").get_data(as_text=True)
    for action in ("api_key.created", "api_key.revoked", "webhook.created", "privacy.updated",
                   "portal_user.invited", "portal_user.invitation_sent", "auth.signed_in"):
        assert action in trail, action
    exported = client.get("/portal/audit?format=csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert rows and all(row["client_id"] == str(acme_id) for row in rows)
    assert {"portal_user"} <= {row["actor_type"] for row in rows}


def test_a_disabled_endpoint_mails_the_portal_admins(client, companies, queue, receiver, app, outgoing_mail):
    acme_id, acme_key = companies["acme"]
    make_portal_user(acme_id, "boss@acme.example")
    make_portal_user(acme_id, "mo@acme.example", role="member")
    app.config.update(WEBHOOK_DISABLE_AFTER_HOURS=0, WEBHOOK_RETRY_DELAYS="0")
    from tests.webhook_receiver import Reply
    receiver.script["/down"] = [Reply(503)] * 5
    client.post("/api/v1/webhooks", headers=auth(acme_key), json={"url": receiver.url("/down"),
                                                                  "event_types": ["ticket.created"]})
    new_ticket(client, acme_key, "Anything")
    queue.run()
    (notice,) = outgoing_mail.received
    assert notice["To"] == "boss@acme.example" and "disabled" in notice["Subject"]


# --------------------------------------------------------------------------- figures


def test_service_figures_and_agent_hours_for_the_invoice(client, companies):
    acme_id, acme_key = companies["acme"]
    _, globex_key = companies["globex"]
    from helpdesk.sla.models import SlaPolicy
    from helpdesk.staff.models import PresenceLog

    db.session.add(SlaPolicy(client_id=acme_id, priority="normal", first_response_minutes=60, resolution_minutes=60,
                             business_hours=False, warning_percent=75))
    db.session.get(Client, acme_id).calendar.timezone = "America/New_York"  # months start at 05:00 UTC
    db.session.commit()
    ana = factories.make_agent("ana@helpdesk.test", name="Ana Cruz")
    now = datetime.now(UTC).replace(microsecond=0)
    for key, hours in ((acme_key, 3), (globex_key, 1)):
        created = new_ticket(client, key, f"Handled {hours} h")
        ticket = db.session.get(Ticket, created["id"])
        ticket.assignee_id, ticket.assigned_at = ana.id, now - timedelta(hours=hours)
        ticket.status, ticket.solved_at, ticket.updated_at = "solved", now, now
        db.session.commit()
    db.session.add(PresenceLog(agent_id=ana.id, state="online", started_at=now - timedelta(hours=8),
                               ended_at=now - timedelta(minutes=1)))
    db.session.commit()
    make_portal_user(acme_id, "boss@acme.example")
    sign_in(client, "boss@acme.example")

    page = client.get("/portal/hours")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ana Cruz" in text
    row = text.split("Ana Cruz")[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    # 3 of Ana's 4 handle hours were Acme's: 3/4 of her online time (7 h 59 min) is billed to Acme.
    assert cells[:5] == ["1", "3.0", "7.98", "75.0 %", "5.99"], cells
    assert client.get("/portal/hours?month=2026-13").status_code == 400

    service = client.get("/portal/service").get_data(as_text=True)
    local = now.astimezone(ZoneInfo("America/New_York"))
    month = local.strftime("%Y-%m")
    assert f'data-month="{month}"' in service
    (summary, *_rest) = run_report("sla", TenantScope.for_client(acme_id), ReportQuery(
        datetime(local.year, local.month, 1, tzinfo=local.tzinfo),
        datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=local.tzinfo), "America/New_York"))
    shown_row = service.split(f'data-month="{month}"')[1].split("</tr>")[0]
    counts = re.findall(r"<td[^>]*>([^<]*)</td>", shown_row)
    expected = summary.rows[0]
    assert counts[4:6] == [str(expected["resolution_met"]), str(expected["resolution_breached"])]
    assert expected["resolution_met"] + expected["resolution_breached"] == 1  # Acme's one solved ticket only


# --------------------------------------------------------------------------- isolation, every route


ROUTE_ARGUMENTS = ("ticket_id", "endpoint_id", "delivery_id", "key_id", "user_id", "token")


def _globex_objects(client, globex_id: int, globex_key: str) -> dict:
    ticket = new_ticket(client, globex_key, "GLOBEX-MARKER subject", email="gina@globex.example")
    endpoint = client.post("/api/v1/webhooks", headers=auth(globex_key), json={
        "url": "http://127.0.0.1:9/globex-marker-hook", "event_types": ["*"]}).get_json()
    client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=auth(globex_key))
    delivery = db.session.scalar(select(WebhookDelivery.id).where(WebhookDelivery.client_id == globex_id))
    user = make_portal_user(globex_id, "gina@globex.example", name="GLOBEX-MARKER person")
    key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.client_id == globex_id))
    return {"ticket_id": ticket["id"], "endpoint_id": endpoint["id"], "delivery_id": delivery, "key_id": key_id,
            "user_id": user.id, "token": "not-a-real-invitation"}


def _globex_state(globex_id: int) -> tuple:
    db.session.expire_all()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model)  # noqa: E731
                                            .where(model.client_id == globex_id))
    endpoint = db.session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.client_id == globex_id))
    user = db.session.scalar(select(PortalUser).where(PortalUser.client_id == globex_id))
    key = db.session.scalar(select(ApiKey).where(ApiKey.client_id == globex_id))
    stored = db.session.get(Client, globex_id)
    return (count(ApiKey), count(WebhookEndpoint), count(PortalUser), count(Ticket), endpoint.active,
            endpoint.secret, user.active, user.role, user.invite_token_hash, key.revoked_at, stored.pii_masking,
            stored.retention_days, db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
                WebhookDelivery.client_id == globex_id, WebhookDelivery.status == "pending")))


def _url(app, rule, values: dict) -> str:
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def test_no_portal_route_reaches_another_company(client, companies, app):
    acme_id, acme_key = companies["acme"]
    globex_id, globex_key = companies["globex"]
    globex = _globex_objects(client, globex_id, globex_key)
    new_ticket(client, acme_key, "Acme own ticket")
    make_portal_user(acme_id, "boss@acme.example")
    before = _globex_state(globex_id)

    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("portal.")]
    assert len(rules) >= 20, [rule.rule for rule in rules]
    anonymous_token = csrf_token(client.get("/portal/sign-in").get_data(as_text=True))
    for rule in rules:  # signed out: every page but sign-in and the invitation link sends you to sign in
        if rule.endpoint in ("portal.sign_in", "portal.invitation"):
            continue
        unknown = set(rule.arguments) - set(ROUTE_ARGUMENTS)
        assert not unknown, f"{rule.rule}: teach this test how to fill {unknown}"
        url = _url(app, rule, globex)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": anonymous_token})
            assert response.status_code == (302 if method == "GET" else 401), (method, url, response.status_code)

    sign_in(client, "boss@acme.example")
    assert "Acme own ticket" in client.get("/portal/tickets").get_data(as_text=True)
    token = token_of(client)
    walked = 0
    for rule in rules:
        if rule.endpoint == "portal.sign_in":
            continue
        url = _url(app, rule, globex)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token, "action": "delete", "name": "x", "email": "x@acme.example",
                    "url": "http://127.0.0.1:9/acme", "event_types": ["*"], "rules": ["emails"],
                    "retention_days": "1", "role": "member", "password": PASSWORD, "password_again": PASSWORD}
            response = client.open(url, method=method, data=data)
            body = response.get_data(as_text=True)
            walked += 1
            assert "GLOBEX-MARKER" not in body and "globex-marker-hook" not in body, (method, url)
            assert "gina@globex.example" not in body, (method, url)
            if set(rule.arguments) & {"ticket_id", "endpoint_id", "delivery_id", "key_id", "user_id", "token"}:
                assert response.status_code == 404, (method, url, response.status_code)
            else:
                assert response.status_code in (200, 302, 400, 409), (method, url, response.status_code)
            if rule.endpoint == "portal.sign_out":
                sign_in(client, "boss@acme.example")
                token = token_of(client)
    assert walked >= len(rules)
    assert _globex_state(globex_id) == before
    assert db.session.get(Client, acme_id).retention_days == 1  # the writes landed on Acme, not Globex
