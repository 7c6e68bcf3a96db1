"""Two real worker processes route 500 tickets at once: no agent over capacity, no ticket assigned twice."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import func

from helpdesk.extensions import db
from helpdesk.models import Agent, Event, Ticket
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import presence
from helpdesk.tickets import service as tickets
from tests.factories import make_agent, make_client, make_region
from tests.processes import Proc, process_env

pytestmark = pytest.mark.slow
AGENTS, CAPACITY, TICKETS = 20, 10, 500


def test_two_workers_route_500_tickets_without_overrun_or_double_assignment(app, database_url, redis_url, tmp_path):
    make_region("manila")
    client_id, _ = make_client("acme")
    for i in range(AGENTS):
        agent = make_agent(f"agent{i}@x.test", region_slug="manila")
        agent.capacity = {"email": CAPACITY}
        db.session.commit()
        presence.set_state(agent.id, "online")
    scope = TenantScope.for_client(client_id)
    for i in range(TICKETS):
        tickets.create_ticket(scope, {"subject": f"Ticket {i}", "channel": "email"}, Actor.system())
    db.session.remove()  # release SQLite's lock for the workers

    # JSON lines keep the per-job records the human console leaves out.
    env = process_env(database_url, redis_url, tmp_path / "instance", LOG_LEVEL="INFO", LOG_JSON="1")
    workers = [Proc([sys.executable, "-m", "workers", "--burst", "routing"], env, tmp_path / f"worker{i}.log")
               for i in range(2)]
    for worker in workers:
        assert worker.popen.wait(timeout=240) == 0, worker.output()
    done_by = [worker.output().count("Successfully completed") for worker in workers]
    for worker in workers:
        worker.stop()
    assert sum(done_by) >= TICKETS and all(count > 0 for count in done_by), done_by  # both really worked

    loads = dict(db.session.execute(
        db.select(Ticket.assignee_id, func.count(Ticket.id)).where(Ticket.assignee_id.isnot(None))
        .group_by(Ticket.assignee_id)).tuples().all())
    assert max(loads.values()) <= CAPACITY
    assert sum(loads.values()) == AGENTS * CAPACITY        # every slot filled, the rest queued
    assert len(loads) == AGENTS
    assigned_events = db.session.execute(
        db.select(Event.ticket_id, func.count(Event.id)).where(Event.type == "ticket.assigned")
        .group_by(Event.ticket_id)).tuples().all()
    assert len(assigned_events) == AGENTS * CAPACITY and all(n == 1 for _, n in assigned_events)
    decisions = db.session.scalar(db.select(func.count(Event.id)).where(
        Event.type.in_(("ticket.assigned", "ticket.queued"))))
    assert decisions == TICKETS                            # one decision per ticket, none lost or doubled
    assert db.session.scalar(db.select(func.count(Agent.id)).where(Agent.presence == "online")) == AGENTS
