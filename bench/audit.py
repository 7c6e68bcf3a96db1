"""Audit trail benchmark: reading a client's trail among many rows, and what auditing adds to a write.

In-process (Flask test client on a fresh database): N audit rows over several
clients are bulk-inserted, then the API's first page, a filtered page, a deep
page (by cursor) and a CSV page are timed. Then the cost of the audit row on
a ticket update (the service call) by an API key, which writes an audit row,
is measured against the same update by the system, which writes none.

    .venv/bin/python bench/audit.py --backend postgresql --rows 200000
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from harness import add_store_arguments, bench_region, run_per_backend, stores, summary, timed

ACTIONS = ("ticket.viewed", "ticket.updated", "ticket.created", "message.created", "report.exported",
           "webhook.updated", "api_key.created")


def fill(client_ids: list[int], rows: int) -> None:
    from sqlalchemy import insert

    from helpdesk.audit import AuditEntry
    from helpdesk.extensions import db
    from helpdesk.platform.db import utcnow

    start = utcnow() - timedelta(days=90)
    batch = []
    for number in range(rows):
        batch.append({"client_id": random.choice(client_ids), "actor_type": "agent", "actor_id": random.randint(1, 300),
                      "actor_role": "agent", "action": random.choice(ACTIONS), "object_type": "ticket",
                      "object_id": str(random.randint(1, 50_000)), "details": {"seq": number},
                      "address": "10.0.0.1", "created_at": start + timedelta(seconds=number * 90 * 86400 / rows)})
        if len(batch) == 5000:
            db.session.execute(insert(AuditEntry), batch)
            db.session.commit()
            batch = []
    if batch:
        db.session.execute(insert(AuditEntry), batch)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("ANALYZE audit_log"))
        db.session.commit()


def run(backend: str, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"hd-bench-audit-{backend}-"))
    with stores(backend, workdir, args.pg_url, args.redis_url, API_RATE_LIMIT="1000000/minute") as env, \
            bench_region(env) as app:
        from helpdesk.client import clients

        made = [clients.create_client(f"Audit {n}", f"audit{n}", region_slugs=["bench"]) for n in range(5)]
        fill([m.client.id for m in made], args.rows)
        web = app.test_client()
        auth = {"Authorization": f"Bearer {made[0].api_key}"}

        def get(url: str) -> None:
            response = web.get(url, headers=auth)
            assert response.status_code == 200, response.get_data(as_text=True)

        print(f"[{backend}] {args.rows} audit rows over 5 clients")
        get("/api/v1/audit")  # warm
        print(f"[{backend}] first page (50):          {summary(timed(lambda: get('/api/v1/audit'), 30))}")
        print(f"[{backend}] action filter (50):       "
              f"{summary(timed(lambda: get('/api/v1/audit?action=report.exported'), 30))}")
        cursor = web.get("/api/v1/audit?limit=500", headers=auth).get_json()["next_cursor"]
        for _ in range(5):
            cursor = web.get(f"/api/v1/audit?limit=500&cursor={cursor}", headers=auth).get_json()["next_cursor"]
        print(f"[{backend}] page 7 by cursor (500):   "
              f"{summary(timed(lambda: get(f'/api/v1/audit?limit=500&cursor={cursor}'), 20))}")
        print(f"[{backend}] CSV page (500):           "
              f"{summary(timed(lambda: get('/api/v1/audit?limit=500&format=csv'), 10))}")

        ticket = web.post("/api/v1/tickets", json={"subject": "s", "body": "b"}, headers=auth).get_json()
        from helpdesk.platform.events import Actor
        from helpdesk.platform.tenancy import TenantScope
        from helpdesk.tickets import service

        priorities = ["low", "normal", "high", "urgent"]
        counter = iter(range(10**6))
        scope = TenantScope.for_client(made[0].client.id)

        def update_by(actor: Actor):
            return lambda: service.update_ticket(scope, ticket["id"], {"priority": priorities[next(counter) % 4]},
                                                 actor)

        with app.test_request_context():
            for _ in range(2):  # alternate, so drift on the machine hits both alike
                audited = timed(update_by(Actor("api_key", 1)), args.updates)
                plain = timed(update_by(Actor.system()), args.updates)
        print(f"[{backend}] ticket update by an API key (audit row): {summary(audited)}")
        print(f"[{backend}] same update by the system (no row):      {summary(plain)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_arguments(parser)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--updates", type=int, default=200)
    run_per_backend(parser.parse_args(), run)


if __name__ == "__main__":
    main()
