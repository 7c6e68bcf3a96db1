"""Demo data for the embedded default: two clients, three regions, staff, tickets."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from helpdesk.client import clients
from helpdesk.client.models import Client, PortalUser
from helpdesk.extensions import db
from helpdesk.platform import counters, events, outbox, security
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing.calendars import WEEKDAYS
from helpdesk.routing.models import Calendar, Region
from helpdesk.routing.regions import all_regions, is_on_shift
from helpdesk.sla import clock as sla_clock
from helpdesk.sla.models import SlaPolicy
from helpdesk.staff import accounts as agents
from helpdesk.staff.models import Agent
from helpdesk.supervision import csat, quality
from helpdesk.supervision.models import CsatResponse, QaReview
from helpdesk.tickets import macros
from helpdesk.tickets.models import CHANNELS, OPEN_STATUSES, Message, Ticket
from helpdesk.tickets.service import find_or_create_contact
from helpdesk.tickets.summaries import ticket_summary as summary

DEMO_PASSWORD = "demo-password"
# Follow the sun, every day (weekday teams and a weekend rota work the same hours), no region
# closed for its public holidays: the three shifts overlap, so some region is on shift in each of
# the week's 168 hours, summer time or not. In UTC: Manila 22:00-07:00, Warsaw 07:00-16:00
# (06:00-15:00 in summer), Bogota 14:00-23:00. The clients' own calendars keep their holidays.
REGIONS = (
    # slug, name, zone, hours, chain order
    ("manila", "Manila", "Asia/Manila", ("06:00", "15:00"), 1),
    ("warsaw", "Warsaw", "Europe/Warsaw", ("08:00", "17:00"), 2),
    ("bogota", "Bogotá", "America/Bogota", ("09:00", "18:00"), 3),
)
CLIENTS = (
    ("acme", "Acme Retail", "America/New_York", ["en", "es"], "US"),
    ("globex", "Globex Telecom", "Europe/Berlin", ["en", "de", "pl"], "DE"),
)
STAFF = (
    ("admin@helpdesk.test", "Ada Admin", "admin", "warsaw", "Europe/Warsaw", ["en", "pl"]),
    ("lead.manila@helpdesk.test", "Marco Santos", "supervisor", "manila", "Asia/Manila", ["en"]),
    ("lead.warsaw@helpdesk.test", "Zofia Nowak", "supervisor", "warsaw", "Europe/Warsaw", ["en", "pl", "de"]),
    ("lead.bogota@helpdesk.test", "Camila Ruiz", "supervisor", "bogota", "America/Bogota", ["en", "es"]),
    ("ana@helpdesk.test", "Ana Reyes", "agent", "manila", "Asia/Manila", ["en"]),
    ("jose@helpdesk.test", "Jose Cruz", "agent", "manila", "Asia/Manila", ["en", "es"]),
    ("liza@helpdesk.test", "Liza Lim", "agent", "manila", "Asia/Manila", ["en"]),
    ("piotr@helpdesk.test", "Piotr Zielinski", "agent", "warsaw", "Europe/Warsaw", ["en", "pl"]),
    ("anna@helpdesk.test", "Anna Kowalska", "agent", "warsaw", "Europe/Warsaw", ["en", "de", "pl"]),
    ("jan@helpdesk.test", "Jan Wojcik", "agent", "warsaw", "Europe/Warsaw", ["en", "de"]),
    ("diego@helpdesk.test", "Diego Gomez", "agent", "bogota", "America/Bogota", ["en", "es"]),
    ("sofia@helpdesk.test", "Sofia Herrera", "agent", "bogota", "America/Bogota", ["es", "en"]),
)
# People of the client companies on /portal (the portal's own accounts, not BPO staff).
PORTAL_USERS = (
    ("acme", "it@acme.example", "Iris Tan", "admin"),
    ("acme", "ops@acme.example", "Omar Price", "member"),
    ("globex", "it@globex.example", "Greta Vogel", "admin"),
)
DEMO_LOGINS = {
    "password": DEMO_PASSWORD,
    "accounts": [("admin", STAFF[0][0]), ("supervisor", STAFF[2][0]), ("agent", STAFF[4][0]),
                 ("agent", STAFF[7][0])],
    "portal": [(f"portal {role}", email) for _slug, email, _name, role in PORTAL_USERS[:2]],
}
SUBJECTS = (
    "Order {n} has not arrived", "Refund for order {n}", "Cannot log in to my account",
    "Invoice {n} is wrong", "Change my delivery address", "Router keeps disconnecting",
    "Porting my number", "Charged twice this month", "Cancel my subscription", "Question about warranty",
)
DEMO_MACROS = (
    ("Ask for the order number",
     "Hi {{contact.first_name}},\n\nThank you for contacting {{client.name}}. Could you send us your order "
     "number so we can look into {{ticket.reference}}?\n\nBest regards,\n{{agent.first_name}}",
     {"status": "pending", "add_tags": ["needs-info"]}),
    ("Refund approved",
     "Hi {{contact.first_name}},\n\nYour refund has been approved and will reach your account within 5 "
     "business days.\n\n{{agent.name}}, {{client.name}} support",
     {"status": "solved", "add_tags": ["refund"], "remove_tags": ["needs-info"]}),
    ("Escalate to urgent", "", {"priority": "urgent", "add_tags": ["escalated"]}),
)
DEMO_RUBRIC = [  # QA criteria per client (editable at /supervisor/qa/rubrics)
    {"key": "accuracy", "label": "Correct and complete answer", "weight": 3, "max": 5},
    {"key": "tone", "label": "Tone and empathy", "weight": 2, "max": 5},
    {"key": "process", "label": "Followed the process (tags, status, notes)", "weight": 1, "max": 2},
]
CSAT_COMMENTS = {
    5: ("Quick and friendly, thank you!", None, "Solved on the first reply."),
    4: ("Good help.", None),
    3: ("It took a while.", None),
    2: ("I had to explain twice.", None),
    1: ("Still not happy with the answer.", None),
}
SLA_MINUTES = {"low": (480, 4800), "normal": (240, 2400), "high": (60, 960), "urgent": (30, 240)}


def seed(ticket_count: int = 300, rng_seed: int = 7) -> dict:
    if db.session.scalar(select(Client.id).where(Client.slug == CLIENTS[0][0])):
        return {"seeded": False, "reason": "demo data already present"}
    rng = random.Random(rng_seed)
    _regions()
    keys = {}
    for slug, name, tz, languages, country in CLIENTS:
        created = clients.create_client(name, slug, timezone=tz, languages=languages,
                                        support_email=f"support@{slug}.example")
        created.client.calendar.holiday_country = country
        for priority, (first, resolution) in SLA_MINUTES.items():
            db.session.add(SlaPolicy(client_id=created.client.id, priority=priority,
                                     first_response_minutes=first, next_response_minutes=first * 2,
                                     resolution_minutes=resolution))
        keys[slug] = {"api_key": created.api_key, "inbound_webhook_secret": created.client.inbound_webhook_secret}
        db.session.commit()
    _portal_users()
    for email, name, role, region, tz, languages in STAFF:
        agents.create_agent(email, name, DEMO_PASSWORD, role=role, region_slug=region, timezone=tz,
                            languages=languages, all_clients=True)
    for name, body, actions in DEMO_MACROS:
        macros.create(None, name, body, actions)
    everyone = TenantScope(None, all_clients=True)
    for client_id in db.session.scalars(select(Client.id).order_by(Client.id)):
        quality.save_rubric(everyone, client_id, "Standard quality review", DEMO_RUBRIC)
    tickets = _tickets(ticket_count, rng)
    _reviews(everyone, rng)
    _write_keys(keys)
    return {"seeded": True, "clients": len(CLIENTS), "regions": len(REGIONS), "staff": len(STAFF),
            "tickets": tickets}


def _portal_users() -> None:
    password_hash = security.hash_password(DEMO_PASSWORD)
    for slug, email, name, role in PORTAL_USERS:
        client_id = db.session.scalar(select(Client.id).where(Client.slug == slug))
        db.session.add(PortalUser(client_id=client_id, email=email, name=name, role=role, password_hash=password_hash,
                                  active=True, session_version=1))
    db.session.commit()


def regions_on_shift(at: datetime | None = None) -> list[str]:
    """Names of the regions on shift at a moment (now by default), in chain order."""
    return [region.name for region in all_regions() if is_on_shift(region, at)]


def _regions() -> None:
    for slug, name, tz, (start, end), order in REGIONS:
        calendar = Calendar(name=f"{name} shifts", timezone=tz, holiday_country=None,
                            weekly_hours={day: [[start, end]] for day in WEEKDAYS})
        db.session.add(Region(name=name, slug=slug, calendar=calendar, chain_order=order))
    db.session.commit()


def _tickets(count: int, rng: random.Random) -> int:
    demo_clients = db.session.scalars(select(Client).order_by(Client.id)).all()
    regions = db.session.scalars(select(Region).order_by(Region.chain_order)).all()
    staff_of = {region.id: db.session.scalars(select(Agent).where(
        Agent.region_id == region.id, Agent.role == "agent").order_by(Agent.id)).all() for region in regions}
    now = utcnow()
    for i in range(count):
        client = demo_clients[i % len(demo_clients)]
        scope = TenantScope.for_client(client.id)
        created = now - timedelta(minutes=rng.randint(5, 14 * 24 * 60))
        contact = find_or_create_contact(scope, {
            "name": f"Customer {i % 97}", "email": f"customer{i % 97}@{client.slug}-mail.example",
            "language": rng.choice(client.languages)})
        status = rng.choices(("new", "open", "pending", "on_hold", "solved", "closed"), (3, 4, 2, 1, 4, 3))[0]
        if status in OPEN_STATUSES:  # a live queue: open work is hours old, not weeks
            created = now - timedelta(minutes=rng.randint(5, 10 * 60))
        ticket = Ticket(
            client_id=client.id, number=counters.next_ticket_number(client.id), contact_id=contact.id,
            channel=rng.choice(CHANNELS), subject=rng.choice(SUBJECTS).format(n=10_000 + i), status=status,
            priority=rng.choices(("low", "normal", "high", "urgent"), (2, 6, 2, 1))[0],
            language=contact.language, region_id=rng.choice(regions).id, queued_at=created,
            created_at=created, updated_at=min(now, created + timedelta(minutes=rng.randint(0, 120))),
            tags=rng.sample(["billing", "delivery", "vip", "outage", "refund"], k=rng.randint(0, 2)),
        )
        db.session.add(ticket)
        db.session.flush()
        _start_sla(ticket)
        db.session.add(Message(client_id=client.id, ticket_id=ticket.id, kind="inbound", channel=ticket.channel,
                               author_contact_id=contact.id, created_at=created,
                               body_text=f"Hello, {ticket.subject.lower()}. Can you help?"))
        if status in ("solved", "closed"):
            _handled(ticket, staff_of[ticket.region_id], now, rng)
        events.record(client.id, "ticket.created", Actor.system(), {"ticket": summary(ticket)},
                      ticket_id=ticket.id, publish_task=None)
        if i % 50 == 49:
            outbox.commit()
    outbox.commit()
    return count


def _handled(ticket: Ticket, staff: list[Agent], now: datetime, rng: random.Random) -> None:
    """A past ticket as an agent handled it: assigned, answered, solved, and often rated by the
    customer, so the reports, CSAT and QA pages have history to show."""
    agent = rng.choice(staff)
    sla_clock.start(ticket)  # the targets it ran against (a solved ticket schedules no check)
    answered = ticket.created_at + timedelta(minutes=rng.choice((12, 25, 40, 75, 150, 300, 600)))
    solved = min(now - timedelta(minutes=5), answered + timedelta(minutes=rng.randint(20, 30 * 60)))
    ticket.assignee_id, ticket.assigned_at = agent.id, ticket.created_at + timedelta(minutes=2)
    ticket.first_responded_at, ticket.solved_at = min(answered, solved), solved
    ticket.closed_at = solved + timedelta(hours=1) if ticket.status == "closed" and solved < now - timedelta(hours=1) \
        else None
    ticket.updated_at = ticket.closed_at or solved
    db.session.add(Message(client_id=ticket.client_id, ticket_id=ticket.id, kind="outbound", channel=ticket.channel,
                           author_agent_id=agent.id, created_at=ticket.first_responded_at,
                           delivery_status="sent", sent_at=ticket.first_responded_at,
                           body_text="Thank you for your patience: this is sorted now. Anything else?"))
    if rng.random() < 0.6:
        rating = rng.choices((5, 4, 3, 2, 1), (10, 6, 2, 1, 1))[0]
        db.session.add(CsatResponse(
            client_id=ticket.client_id, ticket_id=ticket.id, agent_id=agent.id, token_hash=csat.new_token()[1],
            rating=rating, comment=rng.choice(CSAT_COMMENTS[rating]), sent_at=solved, delivery_status="sent",
            answered_at=min(now, solved + timedelta(minutes=rng.randint(5, 600)))))


def _reviews(scope: TenantScope, rng: random.Random, count: int = 12) -> None:
    """A supervisor has scored some solved tickets against the client's rubric (history, not pushed)."""
    lead = db.session.scalar(select(Agent).where(Agent.email == STAFF[2][0]))
    solved = db.session.scalars(select(Ticket).where(Ticket.status.in_(("solved", "closed")))
                                .order_by(Ticket.id).limit(count)).all()
    for ticket in solved:
        rubric = quality.rubric_for(scope, ticket.client_id)
        scores = {"accuracy": rng.randint(2, 5), "tone": rng.randint(3, 5), "process": rng.randint(1, 2)}
        db.session.add(QaReview(client_id=ticket.client_id, ticket_id=ticket.id, rubric_id=rubric.id,
                                agent_id=ticket.assignee_id, reviewer_id=lead.id, scores=scores,
                                total=quality.compute_total(rubric.criteria, scores)))
    db.session.commit()


def _start_sla(ticket: Ticket) -> None:
    """Due times as if the ticket had come in through the API; a pending one's clock stopped when it last changed."""
    if ticket.status not in OPEN_STATUSES:
        return
    sla_clock.start(ticket)
    if ticket.status in sla_clock.PAUSED:
        sla_clock.status_changed(ticket, "open", ticket.status, ticket.updated_at)


def _write_keys(keys: dict) -> None:
    path = Path(current_app.instance_path) / "demo-keys.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(keys, indent=2))
    path.chmod(0o600)
