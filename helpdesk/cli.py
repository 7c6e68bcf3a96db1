"""``flask helpdesk ...`` commands."""

from __future__ import annotations

import json
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from helpdesk.admin import demo
from helpdesk.channels.chat import conversations as chat
from helpdesk.channels.email import commands as mail_cli
from helpdesk.channels.email import ingest as email_ingest
from helpdesk.channels.email.smtp_server import inbound_controller, sink_controller
from helpdesk.channels.phone import adapters as phone_adapters
from helpdesk.client import clients
from helpdesk.errors import AppError
from helpdesk.extensions import db
from helpdesk.launcher import Launcher
from helpdesk.staff import accounts as agents
from workers.queues import ALL_QUEUES, redis_connection
from workers.runner import run_scheduler, run_worker

helpdesk_cli = AppGroup("helpdesk", help="Operate helpdesk: tenants, staff, demo data, processes.")


def register(app: Flask) -> None:
    app.cli.add_command(helpdesk_cli)


def _fail(error: AppError) -> None:
    click.echo(json.dumps(error.body()), err=True)
    sys.exit(2)


@helpdesk_cli.command("create-client")
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--timezone", "tz", default="UTC", show_default=True, help="Business calendar time zone.")
@click.option("--language", "languages", multiple=True, help="Contract language (repeat).")
@click.option("--support-email")
@click.option("--region", "regions", multiple=True, help="Allowed region slug (repeat); none = all.")
def create_client(name, slug, tz, languages, support_email, regions):
    """Create a client company; prints its API key and secrets as JSON (shown once)."""
    try:
        created = clients.create_client(name, slug, timezone=tz, languages=list(languages) or None,
                                        support_email=support_email, region_slugs=list(regions) or None)
    except AppError as error:
        _fail(error)
    client = created.client
    click.echo(json.dumps({
        "id": client.id, "slug": client.slug, "name": client.name,
        "api_key": created.api_key,
        "inbound_webhook_secret": client.inbound_webhook_secret,
        "support_address": client.support_addresses[0].email,
    }, indent=2))


@helpdesk_cli.command("create-agent")
@click.option("--email", required=True)
@click.option("--name")
@click.option("--role", type=click.Choice(["agent", "supervisor", "admin"]), default="agent", show_default=True)
@click.option("--region", "region_slug")
@click.option("--tz", default="UTC", show_default=True)
@click.option("--language", "languages", multiple=True)
@click.option("--client", "client_slugs", multiple=True, help="Client slug the agent serves (repeat).")
@click.option("--all-clients", is_flag=True, help="Serve every client company.")
@click.password_option(envvar="HELPDESK_AGENT_PASSWORD")
def create_agent(email, name, role, region_slug, tz, languages, client_slugs, all_clients, password):
    """Create an agent, supervisor or admin."""
    try:
        agent = agents.create_agent(email, name or email.split("@")[0], password, role=role,
                                    region_slug=region_slug, timezone=tz, languages=list(languages) or None,
                                    client_slugs=list(client_slugs) or None, all_clients=all_clients)
    except AppError as error:
        _fail(error)
    click.echo(json.dumps({"id": agent.id, "email": agent.email, "role": agent.role}))


@helpdesk_cli.command("seed-demo")
@click.option("--tickets", default=300, show_default=True)
def seed_demo(tickets):
    """Load demo clients, regions, staff and tickets (once; a second run does nothing)."""
    summary = demo.seed(ticket_count=tickets)
    click.echo(json.dumps(summary, indent=2))


@helpdesk_cli.command("worker")
@click.option("--burst", is_flag=True, help="Drain the queues and exit.")
@click.argument("queues", nargs=-1)
def worker(burst, queues):
    """Run an RQ worker on all queues (or the ones named)."""
    app = current_app._get_current_object()
    run_worker(app, redis_connection(app.config["REDIS_URL"]), burst=burst, queue_names=queues or ALL_QUEUES)


@helpdesk_cli.command("scheduler")
@click.option("--once", is_flag=True, help="Enqueue due periodic jobs once and exit.")
def scheduler(once):
    """Enqueue the periodic jobs of workers/schedule.py on time."""
    run_scheduler(redis_connection(current_app.config["REDIS_URL"]), once=once)


@helpdesk_cli.command("email-settings")
@click.option("--client", "client_slug", required=True)
@click.option("--mailgun-signing-key", help="Mailgun webhook signing key ('' to clear).")
@click.option("--basic-auth", help="user:password that SendGrid/Postmark put in the URL.")
@click.option("--auto-ack/--no-auto-ack", default=None, help="Acknowledge new email tickets.")
@click.option("--auto-ack-body", help="Acknowledgement text; {name} {client} {reference} {token} {subject}.")
@click.option("--add-address", help="Another support address for this client.")
def email_settings(client_slug, mailgun_signing_key, basic_auth, auto_ack, auto_ack_body, add_address):
    """Set a client's inbound email credentials and acknowledgement."""
    try:
        client = clients.configure_email(client_slug, mailgun_signing_key=mailgun_signing_key,
                                         basic_auth=basic_auth, auto_ack=auto_ack, auto_ack_body=auto_ack_body,
                                         support_address=add_address)
    except AppError as error:
        _fail(error)
    click.echo(json.dumps({"client": client.slug, "auto_ack": client.auto_ack_enabled,
                           "mailgun": bool(client.mailgun_signing_key),
                           "basic_auth": bool(client.inbound_basic_auth_sha256),
                           "support_addresses": [a.email for a in client.support_addresses]}))


@helpdesk_cli.command("phone-settings")
@click.option("--client", "client_slug", required=True)
@click.option("--twilio-auth-token", help="The Twilio auth token that signs status callbacks ('' to clear).")
@click.option("--default-region", help="ISO country code for numbers written without +country (e.g. PH).")
def phone_settings(client_slug, twilio_auth_token, default_region):
    """Set a client's Twilio credentials and phone region."""
    try:
        client = clients.configure_phone(client_slug, twilio_auth_token=twilio_auth_token,
                                         default_region=default_region)
    except AppError as error:
        _fail(error)
    click.echo(json.dumps({"client": client.slug, "twilio": bool(client.twilio_auth_token),
                           "default_region": client.default_phone_region}))


@helpdesk_cli.command("import-calls")
@click.option("--client", "client_slug", required=True)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_calls(client_slug, path):
    """Import a call-log export (CSV); bad rows are reported by line number and skipped."""
    try:
        client = clients.by_slug(client_slug)
    except AppError as error:
        _fail(error)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        summary = phone_adapters.import_csv(client.id, handle)
    for line, problem in summary.bad_rows:
        click.echo(f"line {line}: {problem}", err=True)
    click.echo(summary.line())


@helpdesk_cli.command("chat-origins")
@click.option("--client", "client_slug", required=True)
@click.argument("origins", nargs=-1)
def chat_origins(client_slug, origins):
    """Set the sites (scheme://host[:port]) the chat widget may run on; none to list them."""
    try:
        if origins:
            allowed = chat.set_allowed_origins(client_slug, list(origins))
        else:
            allowed = clients.by_slug(client_slug).chat_allowed_origins
    except AppError as error:
        _fail(error)
    click.echo(json.dumps({"client": client_slug, "chat_allowed_origins": allowed}))


@helpdesk_cli.command("smtp")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=2525, show_default=True)
def smtp(host, port):
    """Receive mail for every client's support address over SMTP."""
    _serve_smtp(inbound_controller, "SMTP in", host, port)


@helpdesk_cli.command("mail-sink")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8025, show_default=True)
def mail_sink(host, port):
    """Local SMTP sink for outgoing mail (the embedded default); see /admin/mail-outbox."""
    _serve_smtp(sink_controller, "mail sink", host, port)


def _serve_smtp(make_controller, label: str, host: str, port: int) -> None:
    app = current_app._get_current_object()
    mail_cli.serve(make_controller(app, host, port), f"{label} listening on {host}:{port}")


@helpdesk_cli.command("import-mail")
@click.option("--client", "client_slug", required=True, help="Client company slug.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def import_mail(client_slug, paths):
    """Import .eml files, directories of them, mbox files and maildirs as tickets."""
    try:
        client_id = mail_cli.client_id_for(client_slug)
    except AppError as error:
        _fail(error)
    counts = mail_cli.import_paths(client_id, paths)
    click.echo(mail_cli.summary_line(counts))


@helpdesk_cli.command("inbound")
@click.option("--reprocess", "reprocess_ids", type=int, multiple=True, help="Inbound id to file again (repeat).")
@click.option("--limit", default=50, show_default=True)
def inbound(reprocess_ids, limit):
    """List quarantined and rate-limited inbound messages, or reprocess some."""
    if reprocess_ids:
        for raw_id in reprocess_ids:
            click.echo(json.dumps(email_ingest.process(raw_id).as_dict()))
        return
    for row in email_ingest.quarantined(limit):
        click.echo(json.dumps({"id": row.id, "client_id": row.client_id, "status": row.status,
                               "source": row.source, "sender": row.sender, "reason": row.error,
                               "received_at": row.received_at.isoformat()}))


@helpdesk_cli.command("up")
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--seed/--no-seed", default=True, help="Seed demo data if the database is empty.")
def up(host, port, seed):
    """Start Redis (embedded unless REDIS_URL is set), a worker, the scheduler and the web server."""
    os.environ.setdefault("HELPDESK_PROCESS", "launcher")  # how this process's log lines are labelled
    app = current_app._get_current_object()

    def seed_demo_data() -> None:
        demo.seed()
        db.session.remove()

    Launcher(app, host or app.config["HOST"], port or app.config["PORT"]).run(seed_demo_data if seed else None)
