"""Outbound webhooks through the API and a real RQ worker, to a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from rq.registry import FailedJobRegistry

from helpdesk.channels import signatures
from helpdesk.errors import Unauthorized
from tests import factories
from tests.processes import free_port
from tests.webhook_receiver import Reply
from workers.queues import ALL_QUEUES, get_queue

TICKET = {"subject": "Printer on fire", "body": "Send help", "contact": {"email": "pat@example.com"}}


@pytest.fixture
def app_config():
    # Retries at once, so a burst worker runs a whole retry schedule; three retries.
    return {"WEBHOOK_RETRY_DELAYS": "0,0,0", "WEBHOOK_TIMEOUT_SECONDS": 2}


@pytest.fixture
def acme(app):
    factories.make_region("manila")
    client_id, key = factories.make_client("acme")
    return client_id, factories.auth(key)


def add_endpoint(client, headers, url, types=("*",), **extra) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url, "event_types": list(types), **extra},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def new_ticket(client, headers) -> dict:
    response = client.post("/api/v1/tickets", json=TICKET, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliveries(client, headers, endpoint_id, **query) -> list[dict]:
    response = client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def no_failed_jobs(queue) -> bool:
    for name in ALL_QUEUES:
        failed = FailedJobRegistry(queue=get_queue(name, queue.connection)).get_job_ids()
        assert failed == [], (name, [get_queue(name, queue.connection).fetch_job(i).exc_info for i in failed])
    return True


def verify(received, *secrets) -> None:
    assert signatures.verify_standard_webhook(list(secrets), received.headers, received.raw) == \
        received.headers["webhook-id"]


def test_ticket_created_arrives_signed_in_the_rest_shape(client, acme, queue, receiver):
    _, headers = acme
    endpoint = add_endpoint(client, headers, receiver.url("/hook"), ["ticket.created", "message.created"])
    assert endpoint["secret"].startswith("whsec_")
    assert "secret" not in client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=headers).get_json()
    ticket = new_ticket(client, headers)
    queue.run()
    (got,) = receiver.at("/hook")
    verify(got, endpoint["secret"])
    body = got.body
    assert body["type"] == "ticket.created" and body["seq"] >= 1 and datetime.fromisoformat(body["timestamp"])
    rest = client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers).get_json()
    rest.pop("messages")
    sent = body["data"]["ticket"]
    assert sent["id"] == rest["id"] and sent["reference"] == rest["reference"] and set(sent) == set(rest)
    (logged,) = deliveries(client, headers, endpoint["id"])
    assert logged["status"] == "delivered" and logged["attempts"] == 1 and logged["last_status_code"] == 200
    assert logged["webhook_id"] == got.headers["webhook-id"]


def test_types_are_filtered_and_internal_notes_never_sent(client, acme, queue, receiver, app):
    _, headers = acme
    add_endpoint(client, headers, receiver.url("/solved"), ["ticket.solved"])
    add_endpoint(client, headers, receiver.url("/messages"), ["message.created"])
    ticket = new_ticket(client, headers)
    queue.run()
    assert receiver.at("/solved") == [] and receiver.at("/messages") == []
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "More smoke"}, headers=headers)
    client.patch(f"/api/v1/tickets/{ticket['id']}", json={"status": "solved"}, headers=headers)
    queue.run()
    (solved,) = receiver.at("/solved")
    assert solved.body["type"] == "ticket.solved" and solved.body["data"]["changes"]["status"][1] == "solved"
    (message,) = receiver.at("/messages")
    assert message.body["data"]["message"]["body"] == "More smoke"
    assert message.body["data"]["message"]["kind"] == "inbound"
    # An agent's internal note is not the client's to see.
    from helpdesk.platform.tenancy import TenantScope
    from helpdesk.tickets import service

    agent = factories.make_agent("ana@helpdesk.test")
    service.add_agent_message(TenantScope(None, all_clients=True), ticket["id"], agent.id,
                              {"body": "secret note", "internal": True})
    queue.run()
    assert all(b"secret note" not in item.raw for item in receiver.received)


def test_failures_are_retried_with_one_webhook_id_until_delivered(client, acme, queue, receiver):
    _, headers = acme
    receiver.script["/flaky"] = [Reply(503, "down"), Reply(500, "still down"), Reply(200, "fine")]
    endpoint = add_endpoint(client, headers, receiver.url("/flaky"), ["ticket.created"])
    new_ticket(client, headers)
    for _ in range(3):
        queue.run()
    attempts = receiver.at("/flaky")
    assert len(attempts) == 3
    assert len({item.headers["webhook-id"] for item in attempts}) == 1
    for item in attempts:
        verify(item, endpoint["secret"])
    (logged,) = deliveries(client, headers, endpoint["id"])
    assert logged["status"] == "delivered" and logged["attempts"] == 3 and logged["last_response_body"] == "fine"


def test_gives_up_after_the_schedule_and_other_4xx_is_not_retried(client, acme, queue, receiver):
    _, headers = acme
    receiver.script["/dead"] = [Reply(502, "bad gateway")]
    receiver.script["/picky"] = [Reply(400, "x" * 5000)]
    dead = add_endpoint(client, headers, receiver.url("/dead"), ["ticket.created"])
    picky = add_endpoint(client, headers, receiver.url("/picky"), ["ticket.created"])
    new_ticket(client, headers)
    for _ in range(6):
        queue.run()
    assert len(receiver.at("/dead")) == 4  # the first attempt and three retries
    (gave_up,) = deliveries(client, headers, dead["id"])
    assert gave_up["status"] == "failed" and "gave up after 4 attempts" in gave_up["last_error"]
    assert len(receiver.at("/picky")) == 1
    (refused,) = deliveries(client, headers, picky["id"], status="failed")
    assert refused["last_status_code"] == 400 and len(refused["last_response_body"]) == 1024


def test_retry_after_is_honoured(client, acme, queue, receiver):
    _, headers = acme
    receiver.script["/busy"] = [Reply(429, "slow down", {"Retry-After": "120"})]
    endpoint = add_endpoint(client, headers, receiver.url("/busy"), ["ticket.created"])
    new_ticket(client, headers)
    queue.run()
    (logged,) = deliveries(client, headers, endpoint["id"])
    wait = datetime.fromisoformat(logged["next_attempt_at"]) - datetime.fromisoformat(logged["last_attempt_at"])
    assert logged["status"] == "retrying" and timedelta(seconds=119) <= wait <= timedelta(seconds=121)
    paused = client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=headers).get_json()
    assert paused["paused_until"] == logged["next_attempt_at"] and paused["failing_since"]


def test_gone_disables_the_endpoint_and_the_client_hears_it(client, acme, queue, receiver):
    _, headers = acme
    receiver.script["/gone"] = [Reply(410, "gone")]
    endpoint = add_endpoint(client, headers, receiver.url("/gone"), ["ticket.created"])
    new_ticket(client, headers)
    new_ticket(client, headers)
    queue.run()
    assert len(receiver.at("/gone")) == 1
    shown = client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=headers).get_json()
    assert shown["active"] is False and "410" in shown["disabled_reason"]
    log = client.get("/api/v1/events", headers=headers).get_json()["data"]
    assert [e["data"]["endpoint"]["id"] for e in log if e["type"] == "webhook.endpoint_disabled"] == [endpoint["id"]]
    ping = client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=headers)
    assert ping.status_code == 409 and "disabled" in ping.get_json()["error"]["message"]
    # Enabled again, the delivery that waited goes out.
    assert no_failed_jobs(queue)  # the disabled event was pushed and its notice job ran cleanly
    receiver.script["/gone"] = [Reply(200)]
    assert client.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"active": True},
                        headers=headers).get_json()["active"] is True
    queue.run()
    assert len(receiver.at("/gone")) == 2


def test_failing_for_the_whole_window_disables_and_mails_the_alert_address(client, acme, queue, receiver, app,
                                                                           outgoing_mail):
    _, headers = acme
    sink = outgoing_mail
    app.config.update(WEBHOOK_DISABLE_AFTER_HOURS=0)  # over at once
    receiver.script["/down"] = [Reply(503)]
    endpoint = add_endpoint(client, headers, receiver.url("/down"), ["ticket.created"],
                            alert_email="ops@acme.example")
    new_ticket(client, headers)
    queue.run()
    shown = client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=headers).get_json()
    assert shown["active"] is False and "Every delivery failed since" in shown["disabled_reason"]
    assert no_failed_jobs(queue)
    (notice,) = sink.received
    assert notice["To"] == "ops@acme.example" and "disabled" in notice["Subject"]
    assert receiver.url("/down") in notice.get_content() and "Every delivery failed" in notice.get_content()


def test_rotation_signs_with_both_secrets_for_the_overlap(client, acme, queue, receiver):
    _, headers = acme
    endpoint = add_endpoint(client, headers, receiver.url("/rot"), ["ticket.created"])
    rotated = client.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret", headers=headers).get_json()
    assert rotated["secret"] != endpoint["secret"] and rotated["previous_secret_expires_at"]
    new_ticket(client, headers)
    queue.run()
    (got,) = receiver.at("/rot")
    assert len(got.headers["webhook-signature"].split()) == 2
    verify(got, endpoint["secret"])
    verify(got, rotated["secret"])
    with pytest.raises(Unauthorized):
        verify(got, "whsec_" + "A" * 43 + "=")


def test_replay_and_test_ping(client, acme, queue, receiver):
    _, headers = acme
    endpoint = add_endpoint(client, headers, receiver.url("/r"), ["ticket.created"])
    new_ticket(client, headers)
    queue.run()
    (first,) = deliveries(client, headers, endpoint["id"])
    replayed = client.post(f"/api/v1/webhooks/{endpoint['id']}/deliveries/{first['id']}/replay", headers=headers)
    assert replayed.status_code == 202 and replayed.get_json()["status"] == "pending"
    ping = client.post(f"/api/v1/webhooks/{endpoint['id']}/test", headers=headers)
    assert ping.status_code == 202
    queue.run()
    got = receiver.at("/r")
    assert [item.body["type"] for item in got] == ["ticket.created", "ticket.created", "webhook.test"]
    assert got[0].headers["webhook-id"] == got[1].headers["webhook-id"] != got[2].headers["webhook-id"]
    assert deliveries(client, headers, endpoint["id"], status="delivered")[1]["attempts"] == 2


def test_endpoint_input_is_checked(client, acme, app):
    _, headers = acme
    cases = [({"url": "ftp://example.com/x", "event_types": ["*"]}, "url"),
             ({"url": "https://example.com/x", "event_types": ["ticket.exploded"]}, "event_types"),
             ({"url": "https://user:pw@example.com/x", "event_types": ["*"]}, "url"),
             ({"url": "https://example.com/x\r\nHost: evil", "event_types": ["*"]}, "url"),
             ({"url": "https://example.com/x", "event_types": []}, "event_types")]
    for body, field in cases:
        response = client.post("/api/v1/webhooks", json=body, headers=headers)
        assert response.status_code == 422, (body, response.get_json())
        assert field in str(response.get_json()["error"]["details"])
    assert client.patch("/api/v1/webhooks/1", json={}, headers=headers).status_code in (404, 422)


def test_internal_addresses_are_refused_when_the_instance_does_not_allow_them(client, acme, queue, receiver,
                                                                               app, caplog):
    _, headers = acme
    endpoint = add_endpoint(client, headers, receiver.url("/inside"), ["ticket.created"])
    app.config["WEBHOOK_ALLOW_INTERNAL_URLS"] = False
    app.extensions.pop("helpdesk_webhook_sender", None)
    for url in ("http://127.0.0.1:9/x", "https://localhost/x", "https://169.254.169.254/latest/meta-data",
                "https://[::1]/x", "https://10.1.2.3/x"):
        response = client.post("/api/v1/webhooks", json={"url": url, "event_types": ["*"]}, headers=headers)
        assert response.status_code == 422 and "internal address" in str(response.get_json()), url
    # Saved while allowed (as a name that later resolves inside would be): refused when connecting.
    new_ticket(client, headers)
    with caplog.at_level(logging.WARNING):
        queue.run()
    assert receiver.at("/inside") == []
    (logged,) = deliveries(client, headers, endpoint["id"])
    assert logged["status"] == "failed" and "internal address 127.0.0.1" in logged["last_error"]
    assert any("webhook refused" in record.getMessage() for record in caplog.records)


def test_a_client_cannot_touch_another_clients_webhooks(client, acme, queue, receiver):
    _, headers = acme
    _, other_key = factories.make_client("globex")
    other = factories.auth(other_key)
    endpoint = add_endpoint(client, headers, receiver.url("/acme"), ["*"])
    new_ticket(client, headers)
    queue.run()
    (delivery,) = deliveries(client, headers, endpoint["id"])
    base = f"/api/v1/webhooks/{endpoint['id']}"
    for method, path, body in [("get", base, None), ("patch", base, {"active": False}), ("delete", base, None),
                               ("post", base + "/rotate-secret", None), ("get", base + "/deliveries", None),
                               ("post", f"{base}/deliveries/{delivery['id']}/replay", None),
                               ("post", base + "/test", None)]:
        response = getattr(client, method)(path, json=body, headers=other)
        assert response.status_code == 404, (method, path, response.get_json())
    assert client.get("/api/v1/webhooks", headers=other).get_json()["data"] == []
    new_ticket(client, other)  # globex's ticket never reaches acme's endpoint
    queue.run()
    assert len(receiver.at("/acme")) == 1
    assert client.get(base, headers=headers).get_json()["active"] is True


def test_the_bpo_admin_sees_the_log_replays_and_is_told_why_a_test_is_refused(client, acme, queue, receiver,
                                                                               login):
    client_id, headers = acme
    receiver.script["/ops"] = [Reply(400, "<script>alert(1)</script> bad field")]
    endpoint = add_endpoint(client, headers, receiver.url("/ops"), ["ticket.created"], description="CRM sync")
    new_ticket(client, headers)
    queue.run()
    factories.make_agent("root@helpdesk.test", role="admin")
    login("root@helpdesk.test")
    page = client.get(f"/admin/clients/{client_id}/webhooks")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "CRM sync" in html and "the receiver answered 400" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    (delivery,) = deliveries(client, headers, endpoint["id"])
    token = factories.csrf_token(html)
    base = f"/admin/clients/{client_id}/webhooks/{endpoint['id']}"
    receiver.script["/ops"] = [Reply(200)]
    answer = client.post(f"{base}/deliveries/{delivery['id']}/replay", data={"csrf_token": token})
    assert answer.status_code == 302
    queue.run()
    assert len(receiver.at("/ops")) == 2
    assert deliveries(client, headers, endpoint["id"])[0]["status"] == "delivered"
    client.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"active": False}, headers=headers)
    refused = client.post(f"{base}/test", data={"csrf_token": token}, follow_redirects=True)
    assert "This endpoint is disabled" in refused.get_data(as_text=True)
    assert client.get("/admin/clients/999999/webhooks").status_code == 404


def test_finished_deliveries_leave_the_log_after_its_retention_and_waiting_ones_stay(client, acme, queue, receiver):
    from sqlalchemy import update

    from helpdesk.client.models import WebhookDelivery
    from helpdesk.extensions import db
    from workers import jobs

    _, headers = acme
    receiver.script["/old"] = [Reply(200), Reply(429, "", {"Retry-After": "3600"})]
    endpoint = add_endpoint(client, headers, receiver.url("/old"), ["ticket.created"])
    new_ticket(client, headers)
    queue.run()
    new_ticket(client, headers)
    queue.run()
    assert sorted(d["status"] for d in deliveries(client, headers, endpoint["id"])) == ["delivered", "retrying"]
    db.session.execute(update(WebhookDelivery).values(created_at=datetime.now().astimezone() - timedelta(days=31)))
    db.session.commit()
    assert jobs.prune_old_records()["webhook_deliveries"] == 1
    assert [d["status"] for d in deliveries(client, headers, endpoint["id"])] == ["retrying"]


def test_a_refused_connection_says_so_and_is_retried(client, acme, queue):
    _, headers = acme
    endpoint = add_endpoint(client, headers, f"http://127.0.0.1:{free_port()}/nobody", ["ticket.created"])
    new_ticket(client, headers)
    queue.run()
    logged = deliveries(client, headers, endpoint["id"])[0]
    assert logged["status"] == "failed" and "could not connect" in logged["last_error"]
    assert "refused" in logged["last_error"].lower() and "timed out" not in logged["last_error"]
    assert logged["attempts"] == 4  # retried (delays 0 in these tests) before giving up
