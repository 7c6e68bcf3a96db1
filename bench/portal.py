"""Client portal benchmark: how long a client's staff wait for each portal page, on PostgreSQL,
with a year of history.

1. Load with bench/reports.py's loader: 10 client companies, 3 regions, 100 agents, N tickets
   (default 200,000) over the last 12 months with CSAT, QA and presence spells; facts and rollups
   rebuilt. Client 0 (New York) holds about a fifth of the tickets.
2. A portal admin of client 0 signs in (Flask test client, so the figure is the server's own
   time, no network) and each page is fetched ``--runs`` times: the ticket list (plain, filtered,
   a search), one ticket's conversation, the CSV export (capped at 10,000 rows), the service
   figures (12 months of SLA, CSAT and QA: 36 report queries) and the agent hours of this month.

    .venv/bin/python bench/portal.py                     # 200,000 tickets, database helpdesk_bench_portal
    .venv/bin/python bench/portal.py --tickets 50000 --runs 10
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).parent))
from reports import app_context, environment, fresh_database, load, setup  # noqa: E402

from harness import machine, percentile, run_checked, summary  # noqa: E402

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "bench-portal-password"


def measure(web, path: str, runs: int) -> tuple[list[float], int]:
    timings, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = web.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
        size = len(response.get_data())
    return timings, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL",
                                                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--database", default="helpdesk_bench_portal")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    workdir = Path(tempfile.mkdtemp(prefix="hd-bench-portal-"))
    database_url = fresh_database(args.pg_url, args.database)
    redis.Redis.from_url(args.redis_url).flushdb()
    env = environment(database_url, args.redis_url, workdir)
    run_checked([sys.executable, "-m", "flask", "--app", "helpdesk", "db", "upgrade"], env)
    app = app_context(env)
    from sqlalchemy import func, select

    from helpdesk.extensions import db
    from helpdesk.models import PortalUser, Ticket
    from helpdesk.platform import security

    ids = setup(args.agents)
    load(args, ids)
    client_id = ids["clients"][0]
    own = db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.client_id == client_id))
    db.session.add(PortalUser(client_id=client_id, email="it@client0.example", name="IT", role="admin",
                              password_hash=security.hash_password(PASSWORD), active=True, session_version=1))
    db.session.commit()
    some_ticket = db.session.scalar(select(Ticket.id).where(Ticket.client_id == client_id).order_by(Ticket.id.desc()))
    print(f"\n== portal of client 0: {own:,} of its tickets among {args.tickets:,} ==", flush=True)

    web = app.test_client()
    page = web.get("/portal/sign-in").get_data(as_text=True)
    signed = web.post("/portal/sign-in", data={"email": "it@client0.example", "password": PASSWORD,
                                               "csrf_token": CSRF_FIELD.search(page).group(1)})
    assert signed.status_code == 302, signed.status_code
    pages = (("ticket list", "/portal/tickets"),
             ("ticket list, open + high", "/portal/tickets?status=open&priority=high"),
             ("ticket list, search", "/portal/tickets?q=Ticket%2012345"),
             ("one ticket", f"/portal/tickets/{some_ticket}"),
             ("CSV export (10,000 rows)", "/portal/tickets.csv"),
             ("service figures (12 months)", "/portal/service"),
             ("agent hours (this month)", "/portal/hours"))
    for label, path in pages:
        measure(web, path, 2)  # warm the caches and the plan
        timings, size = measure(web, path, args.runs)
        print(f"{label:<30} {summary(timings)} p95 {percentile(timings, 95):.0f} ms ({size / 1024:.0f} KB)",
              flush=True)
    db.session.remove()
    db.engine.dispose()


if __name__ == "__main__":
    main()
