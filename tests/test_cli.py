"""`flask helpdesk ...` commands through Click's runner (the real CLI entry points)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rq.job import Job

from helpdesk.admin.demo import DEMO_MACROS, DEMO_PASSWORD
from helpdesk.extensions import db
from helpdesk.models import Agent, ApiKey, Client, CsatResponse, Event, Macro, Outbox, QaReview, Region, Ticket
from helpdesk.sla import clock as sla_clock
from tests.factories import auth, make_client, make_region
from workers.queues import SCHEDULED_QUEUE, get_queue
from workers.schedule import SCHEDULE


def test_create_client_prints_working_api_key(app, client):
    result = app.test_cli_runner().invoke(args=["helpdesk", "create-client", "--name", "Acme", "--slug", "acme"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["slug"] == "acme" and printed["inbound_webhook_secret"].startswith("whsec_")
    assert client.get("/api/v1/tickets", headers=auth(printed["api_key"])).status_code == 200
    # Stored hashed: only the public prefix and a SHA-256 of the secret are kept.
    (stored,) = db.session.scalars(db.select(ApiKey)).all()
    _, prefix, secret = printed["api_key"].split("_", 2)
    assert stored.prefix == prefix and stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (stored.key_hash, stored.prefix)


def test_create_client_rejects_duplicate_and_bad_slug(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["helpdesk", "create-client", "--name", "A", "--slug", "acme"]).exit_code == 0
    dup = runner.invoke(args=["helpdesk", "create-client", "--name", "A", "--slug", "acme"])
    assert dup.exit_code == 2 and json.loads(dup.output)["error"]["code"] == "conflict"
    bad = runner.invoke(args=["helpdesk", "create-client", "--name", "A", "--slug", "Not A Slug"])
    assert bad.exit_code == 2 and "slug" in json.loads(bad.output)["error"]["details"]


def test_create_agent_then_sign_in(app, client, login):
    make_region("manila", tz="Asia/Manila")
    result = app.test_cli_runner().invoke(args=[
        "helpdesk", "create-agent", "--email", "Ana@Example.com", "--role", "supervisor", "--region", "manila",
        "--tz", "Asia/Manila", "--password", "s3cret-passw0rd"])
    assert result.exit_code == 0, result.output
    agent = db.session.scalar(db.select(Agent).where(Agent.email == "ana@example.com"))
    assert agent.role == "supervisor" and agent.timezone == "Asia/Manila" and agent.region.slug == "manila"
    assert agent.password_hash.startswith("$argon2id$")
    login("ana@example.com", "s3cret-passw0rd")
    assert client.get("/agent").status_code == 200


def test_create_agent_rejects_unknown_zone(app):
    result = app.test_cli_runner().invoke(args=[
        "helpdesk", "create-agent", "--email", "x@example.com", "--tz", "Mars/Olympus", "--password", "longenough1"])
    assert result.exit_code == 2 and "tz" in json.loads(result.output)["error"]["details"]


def test_seed_demo_once(app, client, login):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["helpdesk", "seed-demo", "--tickets", "60"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["seeded"] is True
    assert db.session.scalar(db.select(db.func.count(Client.id))) == 2
    assert db.session.scalar(db.select(db.func.count(Region.id))) == 3
    assert db.session.scalar(db.select(db.func.count(Agent.id))) == 12
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 60
    channels = set(db.session.scalars(db.select(Ticket.channel).distinct()))
    assert channels == {"email", "phone", "chat", "web", "api"}
    # Demo history is in the event log but not pushed live again.
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 60
    assert set(db.session.scalars(db.select(Outbox.task).distinct())) <= {sla_clock.CHECK_TASK}
    # Open tickets run SLA clocks, each with its next check scheduled; pending ones are paused.
    open_tickets = db.session.scalars(db.select(Ticket).where(Ticket.status.in_(("new", "open")))).all()
    assert open_tickets and all(t.first_response_due_at and t.resolution_due_at for t in open_tickets)
    checks = {row.payload["ticket_id"] for row in db.session.scalars(
        db.select(Outbox).where(Outbox.task == sla_clock.CHECK_TASK))}
    assert {t.id for t in open_tickets} <= checks
    paused = db.session.scalars(db.select(Ticket).where(Ticket.status.in_(sla_clock.PAUSED))).all()
    assert all(t.sla_paused_at and t.sla_next_check_at is None for t in paused)
    # Past tickets were handled by an agent of their region: answered, solved, often rated, some reviewed.
    closed = db.session.scalars(db.select(Ticket).where(Ticket.status.in_(("solved", "closed")))).all()
    assert closed and all(t.assignee.region_id == t.region_id and t.first_response_due_at for t in closed)
    assert all(t.created_at < t.first_responded_at <= t.solved_at and t.sla_next_check_at is None for t in closed)
    ratings = db.session.scalars(db.select(CsatResponse.rating)).all()
    assert ratings and all(1 <= r <= 5 for r in ratings)
    assert db.session.scalar(db.select(db.func.count(QaReview.id))) == min(12, len(closed))
    second = runner.invoke(args=["helpdesk", "seed-demo"])
    assert json.loads(second.output)["seeded"] is False
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 60
    login("ana@helpdesk.test", DEMO_PASSWORD)
    page = client.get("/agent?view=open").get_data(as_text=True)
    assert "ACME-" in page or "GLOBEX-" in page
    assert db.session.scalar(db.select(db.func.count(Macro.id))) == len(DEMO_MACROS)
    keys = json.loads((Path(app.instance_path) / "demo-keys.json").read_text())
    assert client.get("/api/v1/tickets?limit=1", headers=auth(keys["acme"]["api_key"])).json["data"]


def test_worker_burst_drains_queue(app, client, redis):
    created = app.test_cli_runner().invoke(args=["helpdesk", "create-client", "--name", "Acme", "--slug", "acme"])
    key = json.loads(created.output)["api_key"]
    client.post("/api/v1/tickets", json={"subject": "x"}, headers=auth(key))
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["helpdesk", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    job_id = db.session.scalar(db.select(Outbox.id))
    assert Job.fetch(job_id, connection=redis).get_status() == "finished"


def test_scheduler_once_enqueues_periodic_jobs(app, redis):
    result = app.test_cli_runner().invoke(args=["helpdesk", "scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert sorted(get_queue(SCHEDULED_QUEUE, redis).job_ids) == sorted(j.job_id for j in SCHEDULE)


def test_chat_and_phone_settings(app):
    make_client("acme")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["helpdesk", "chat-origins", "--client", "acme", "https://Shop.Acme.Example:443",
                                 "http://localhost:5000"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["chat_allowed_origins"] == ["http://localhost:5000", "https://shop.acme.example"]
    listed = runner.invoke(args=["helpdesk", "chat-origins", "--client", "acme"])
    assert json.loads(listed.output)["chat_allowed_origins"] == ["http://localhost:5000", "https://shop.acme.example"]
    bad = runner.invoke(args=["helpdesk", "chat-origins", "--client", "acme", "not a url"])
    assert bad.exit_code == 2 and json.loads(bad.stderr)["error"]["code"] == "validation_failed"
    phone = runner.invoke(args=["helpdesk", "phone-settings", "--client", "acme", "--twilio-auth-token", "tok",
                                "--default-region", "ph"])
    assert json.loads(phone.output) == {"client": "acme", "twilio": True, "default_region": "PH"}
    wrong = runner.invoke(args=["helpdesk", "phone-settings", "--client", "acme", "--default-region", "XX"])
    assert wrong.exit_code == 2
