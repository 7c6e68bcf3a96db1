"""Reports benchmark: 1,000,000 tickets over 12 months on PostgreSQL, p95 of every report, wallboard latency.

1. Load: 10 client companies (business calendars in their own zones, with holidays), 3 regions,
   100 agents; N tickets (default 1,000,000) spread over the last 12 months, bulk-loaded with
   COPY, most answered and solved; CSAT answers (~15 % of solved tickets), QA reviews (~2 %)
   and agent presence spells. Then ``reports.rebuild()`` computes the facts and rollups
   from the tickets table (timed: this is what an existing installation runs once).
2. Reports: each report over the last 30 days and the last 12 months, run as the supervisor
   page runs it (all clients' scope, default tables) and through GET /api/v1/reports by one
   client's key; the zone rotates (UTC, New York, Warsaw, Kolkata +05:30, Kathmandu +05:45).
3. Wallboard: gunicorn (gevent) and an RQ worker on the same database; a supervisor's /agent
   socket; tickets posted over the API one at a time; latency from the API's 201 (the commit)
   to the first board pushed to the socket that shows the new ticket waiting.

    .venv/bin/python bench/reports.py                       # 1M tickets, database helpdesk_bench_reports
    .venv/bin/python bench/reports.py --tickets 100000 --runs 10 --events 30
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import requests
import socketio
from sqlalchemy import create_engine, make_url, text

from harness import PROJECT, Processes, free_port, machine, percentile, run_checked, summary

VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-password-123"
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ZONES = ("UTC", "America/New_York", "Europe/Warsaw", "Asia/Kolkata", "Asia/Kathmandu")
CLIENT_ZONES = (("America/New_York", "US"), ("Europe/Warsaw", "PL"), ("Asia/Manila", "PH"), ("Europe/London", "GB"),
                ("America/Chicago", "US"), ("Europe/Paris", "FR"), ("Asia/Kolkata", "IN"), ("Australia/Sydney", "AU"),
                ("America/Los_Angeles", "US"), ("Europe/Berlin", "DE"))
CHANNELS = ("email", "chat", "phone", "web", "api")
PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_COLUMNS = ("client_id", "number", "channel", "subject", "status", "priority", "region_id", "assignee_id",
                  "tags", "custom_fields", "first_response_due_at", "resolution_due_at", "first_responded_at",
                  "sla_paused_seconds", "sla_breached", "sla_alerts", "queued_at", "assigned_at", "solved_at",
                  "closed_at", "created_at", "updated_at")


def fresh_database(pg_url: str, name: str) -> str:
    url = make_url(pg_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def environment(database_url: str, redis_url: str, workdir: Path) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "HELPDESK_INSTANCE": str(workdir),
            "HELPDESK_ENV": "development", "LOG_LEVEL": "WARNING", "DB_POOL_SIZE": "20",
            "LOGIN_RATE_LIMIT": "100000/minute", "API_RATE_LIMIT": "100000/minute",
            "SECRET_KEY": "bench-secret-key-with-enough-length-0123456789"}


def app_context(env: dict):
    os.environ.update(env)
    sys.path.insert(0, str(PROJECT))
    from config import DevelopmentConfig
    from helpdesk import create_app

    app = create_app(DevelopmentConfig)
    context = app.app_context()
    context.push()
    return app


def setup(agent_count: int) -> dict:
    from helpdesk.client import clients
    from helpdesk.extensions import db
    from helpdesk.models import Agent, Calendar, Client, Region, SlaPolicy
    from helpdesk.platform import security

    regions = []
    for slug, zone, order in (("manila", "Asia/Manila", 1), ("warsaw", "Europe/Warsaw", 2),
                              ("bogota", "America/Bogota", 3)):
        region = Region(name=slug.title(), slug=slug, chain_order=order,
                        calendar=Calendar(name=f"{slug} shifts", timezone=zone, around_the_clock=True))
        db.session.add(region)
        regions.append(region)
    db.session.commit()
    keys, client_ids = {}, []
    for i, (zone, country) in enumerate(CLIENT_ZONES):
        created = clients.create_client(f"Client {i}", f"client-{i}", timezone=zone,
                                        region_slugs=[r.slug for r in regions])
        company = db.session.get(Client, created.client.id)
        company.calendar.holiday_country = country
        for priority, minutes in zip(PRIORITIES, (480, 240, 60, 30), strict=True):
            db.session.add(SlaPolicy(client_id=company.id, priority=priority, first_response_minutes=minutes,
                                     resolution_minutes=minutes * 8, business_hours=True))
        keys[company.id] = created.api_key
        client_ids.append(company.id)
    password_hash = security.hash_password(PASSWORD)
    agents = [Agent(email=f"agent{i}@bench.test", name=f"Agent {i}", password_hash=password_hash, role="agent",
                    region=regions[i % 3], all_clients=True) for i in range(agent_count)]
    agents.append(Agent(email="lead@bench.test", name="Lead", password_hash=password_hash, role="supervisor",
                        all_clients=True))
    db.session.add_all(agents)
    db.session.commit()
    return {"clients": client_ids, "keys": keys, "regions": [r.id for r in regions],
            "agents": [a.id for a in agents if a.role == "agent"]}


def _copy(table: str, columns: tuple[str, ...], rows) -> int:
    """COPY rows (tuples) into a table through psycopg; returns the count."""
    from helpdesk.extensions import db

    raw = db.engine.raw_connection()
    count = 0
    try:
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        raw.commit()
    finally:
        raw.close()
    return count


def ticket_rows(count: int, ids: dict, now: datetime, seed: int = 8):
    """Tickets in creation order over the last 365 days: busier on weekdays and in working hours."""
    rng = random.Random(seed)
    start = now - timedelta(days=365)
    weights = [3, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    stamps = sorted(start + timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(count))
    for n, created in enumerate(stamps):
        client = rng.choices(ids["clients"], weights)[0]
        agent = rng.choice(ids["agents"])
        age = now - created
        answered = rng.random() < 0.93 and age > timedelta(hours=1)
        first = created + timedelta(seconds=min(rng.expovariate(1 / 10800), age.total_seconds())) if answered else None
        solved = None
        if first is not None and (age > timedelta(days=7) or rng.random() < 0.6):
            solved = first + timedelta(seconds=rng.expovariate(1 / 72000))
            if solved > now:
                solved = None
        status = ("closed" if rng.random() < 0.5 else "solved") if solved else rng.choice(("open", "pending", "new"))
        priority = rng.choices(PRIORITIES, (2, 6, 2, 1))[0]
        yield (client, n + 1, rng.choices(CHANNELS, (5, 3, 2, 1, 1))[0], f"Ticket {n}", status, priority,
               rng.choice(ids["regions"]), agent if first else None, "[]", "{}",
               created + timedelta(hours=4), created + timedelta(hours=48), first, 0, False, "{}", created,
               created + timedelta(minutes=2) if first else None, solved,
               solved if status == "closed" else None, created, solved or first or created)


def load(args, ids: dict) -> None:
    from helpdesk.extensions import db

    now = datetime.now(UTC)
    started = time.perf_counter()
    count = _copy("tickets", TICKET_COLUMNS, ticket_rows(args.tickets, ids, now))
    db.session.execute(text("ANALYZE tickets"))
    db.session.commit()
    print(f"tickets (COPY)       {count:,} in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    rng = random.Random(5)
    solved = db.session.execute(text(
        "SELECT id, client_id, assignee_id, solved_at FROM tickets WHERE solved_at IS NOT NULL")).all()
    csat = [(cid, tid, agent, f"t{tid}", rng.choices((1, 2, 3, 4, 5), (1, 1, 2, 4, 6))[0], at,
             at + timedelta(hours=rng.uniform(0.1, 30)))
            for tid, cid, agent, at in solved if rng.random() < 0.15]
    csat = [row for row in csat if row[6] < now]
    n_csat = _copy("csat_responses", ("client_id", "ticket_id", "agent_id", "token_hash", "rating", "sent_at",
                                      "answered_at"), csat)
    rubrics = {}
    for client_id in ids["clients"]:
        rubrics[client_id] = db.session.execute(text(
            "INSERT INTO qa_rubrics (client_id, name, criteria, created_at, updated_at) "
            "VALUES (:c, 'Default', '[]', now(), now()) RETURNING id"), {"c": client_id}).scalar()
    db.session.commit()
    qa = [(cid, tid, rubrics[cid], agent, "{}", rng.randint(40, 100), at + timedelta(days=1), at + timedelta(days=1))
          for tid, cid, agent, at in solved if rng.random() < 0.02 and at + timedelta(days=1) < now]
    n_qa = _copy("qa_reviews", ("client_id", "ticket_id", "rubric_id", "agent_id", "scores", "total",
                                "created_at", "updated_at"), qa)

    def spells():
        for agent in ids["agents"]:
            at = now - timedelta(days=365)
            while at < now:
                for state, hours in (("online", rng.uniform(6, 9)), ("away", rng.uniform(0.2, 1.5)),
                                     ("offline", rng.uniform(14, 17))):
                    end = min(at + timedelta(hours=hours), now)
                    yield agent, state, at, end
                    at = end

    n_presence = _copy("presence_logs", ("agent_id", "state", "started_at", "ended_at"), spells())
    for table in ("csat_responses", "qa_reviews", "presence_logs"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()
    print(f"csat / qa / presence {n_csat:,} / {n_qa:,} / {n_presence:,} rows in {time.perf_counter() - started:.1f}s")
    from helpdesk.supervision import reports

    started = time.perf_counter()
    rebuilt = reports.rebuild()
    for table in ("ticket_facts", "report_rollups"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()
    rollups = db.session.execute(text("SELECT count(*) FROM report_rollups")).scalar()
    print(f"facts rebuild        {rebuilt:,} tickets -> {rollups:,} rollup rows in "
          f"{time.perf_counter() - started:.1f}s (reports.rebuild)", flush=True)


def measure_reports(app, ids: dict, runs: int) -> dict:
    from helpdesk.extensions import db
    from helpdesk.platform.tenancy import TenantScope
    from helpdesk.supervision import reports

    today = datetime.now(UTC).date()
    ranges = {"30 days": (today - timedelta(days=29), today), "12 months": (today - timedelta(days=364), today)}
    scope = TenantScope(None, all_clients=True)
    http = app.test_client()
    key = ids["keys"][ids["clients"][0]]
    results = {}
    print(f"\nreports ({runs} runs each; zones rotate over {', '.join(ZONES)}; times in ms)")
    for name in reports.REPORT_NAMES:
        for label, (first, last) in ranges.items():
            timings, api_timings = [], []
            for run in range(runs + 2):
                args = {"from": first.isoformat(), "to": last.isoformat(), "tz": ZONES[run % len(ZONES)]}
                t0 = time.perf_counter()
                tables = reports.run_report(name, scope, reports.parse_query(args))
                elapsed = (time.perf_counter() - t0) * 1000
                db.session.remove()
                t0 = time.perf_counter()
                answer = http.get(f"/api/v1/reports/{name}", query_string=args,
                                  headers={"Authorization": f"Bearer {key}"})
                api_elapsed = (time.perf_counter() - t0) * 1000
                if answer.status_code != 200:
                    raise RuntimeError(f"{name}: {answer.status_code} {answer.get_data(as_text=True)[:300]}")
                if run >= 2:  # warm-up left out
                    timings.append(elapsed)
                    api_timings.append(api_elapsed)
            rows = sum(len(t.rows) for t in tables)
            results[(name, label)] = (percentile(timings, 95), percentile(api_timings, 95))
            print(f"{name:<15} {label:<10} all clients: {summary(timings)} ({len(tables)} tables, {rows} rows) | "
                  f"one client's key over HTTP: p95={percentile(api_timings, 95):.1f} ms", flush=True)
    return results


def sign_in(base: str, email: str) -> str:
    http = requests.Session()
    token = CSRF_FIELD.search(http.get(f"{base}/login").text).group(1)
    answer = http.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                       allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"login {email}: {answer.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def measure_wallboard(env: dict, workdir: Path, ids: dict, events: int, gap: float) -> list[float]:
    """Post tickets one at a time for a client with none open; time until a pushed board shows each waiting."""
    procs = Processes(workdir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    client_id = ids["live_client"]
    key = ids["keys"][client_id]
    latencies: list[float] = []
    try:
        procs.start("web", [str(VENV_BIN / "gunicorn"), "-k", "gevent", "-w", "1", "--worker-connections", "1000",
                            "-b", f"127.0.0.1:{port}", "wsgi:app"], env)
        procs.start("worker", [sys.executable, "-m", "workers"], env)
        procs.wait_http(f"{base}/readyz", timeout=120)
        cookie = sign_in(base, "lead@bench.test")
        seen: list[tuple[float, int]] = []  # (receipt time, waiting count of the live client)
        lock = threading.Lock()
        sio = socketio.Client(reconnection=False)

        def on_board(board: dict) -> None:
            waiting = sum(row.get("waiting", 0) for row in board.get("queues", []) if row.get("client_id") == client_id)
            with lock:
                seen.append((time.perf_counter(), waiting))

        sio.on("wallboard", on_board, namespace="/agent")
        sio.connect(base, namespaces=["/agent"], headers={"Cookie": cookie}, transports=["websocket"],
                    wait_timeout=30)
        time.sleep(2)
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {key}"
        baseline = 0
        for n in range(events):
            answer = http.post(f"{base}/api/v1/tickets", json={"subject": f"Live {n}", "channel": "email"})
            committed = time.perf_counter()
            if answer.status_code != 201:
                raise RuntimeError(f"POST ticket: {answer.status_code} {answer.text[:200]}")
            target = baseline + n + 1
            deadline = committed + 10
            found = None
            while found is None and time.perf_counter() < deadline:
                with lock:
                    found = next((at for at, waiting in seen if at >= committed and waiting >= target), None)
                time.sleep(0.005)
            if found is None:
                raise RuntimeError(f"the board never showed ticket {n} waiting")
            latencies.append((found - committed) * 1000)
            time.sleep(gap)
        sio.disconnect()
    finally:
        procs.stop()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL",
                                                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--database", default="helpdesk_bench_reports")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--events", type=int, default=100, help="tickets posted for the wallboard latency")
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between those tickets")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database of an earlier run: rebuild the facts, then measure")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"\n== postgresql: {args.tickets:,} tickets over 12 months, {len(CLIENT_ZONES)} clients, "
          f"{args.agents} agents ==", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="hd-bench-reports-"))
    if args.reuse:
        database_url = make_url(args.pg_url).set(database=args.database).render_as_string(hide_password=False)
    else:
        database_url = fresh_database(args.pg_url, args.database)
    redis.Redis.from_url(args.redis_url).flushdb()
    env = environment(database_url, args.redis_url, workdir)
    run_checked([sys.executable, "-m", "flask", "--app", "helpdesk", "db", "upgrade"], env)
    app = app_context(env)
    from helpdesk.client import clients
    from helpdesk.extensions import db
    from helpdesk.models import Client
    from helpdesk.supervision import reports

    if args.reuse:
        started = time.perf_counter()
        rebuilt = reports.rebuild()
        print(f"facts rebuild        {rebuilt:,} tickets in {time.perf_counter() - started:.1f}s (reused database)")
        ids = {"clients": list(db.session.scalars(db.select(Client.id).where(Client.slug.like("client-%"))
                                                  .order_by(Client.id))), "keys": {}}
        ids["keys"][ids["clients"][0]] = clients.create_api_key(ids["clients"][0], "bench")
    else:
        ids = setup(args.agents)
        load(args, ids)
    # A client with no tickets yet: its waiting count on the board starts at 0.
    live = clients.create_client("Live Co", f"live-{int(time.time())}", region_slugs=["manila"])
    ids["live_client"], ids["keys"][live.client.id] = live.client.id, live.api_key
    db.session.remove()
    results = measure_reports(app, ids, args.runs)
    worst = max(results.items(), key=lambda item: item[1][0])
    print(f"worst report p95 over 12 months: {max(v[0] for k, v in results.items() if k[1] == '12 months'):.1f} ms "
          f"(overall worst {worst[0][0]} / {worst[0][1]}: {worst[1][0]:.1f} ms; target 500 ms)")
    db.session.remove()
    db.engine.dispose()
    latencies = measure_wallboard(env, workdir, ids, args.events, args.gap)
    print(f"\nwallboard: API 201 (commit) -> board pushed to a supervisor socket showing it: {summary(latencies)}; "
          f"p99 {percentile(latencies, 99):.0f} ms (target 1000 ms)")
    print(json.dumps({"report_p95_ms": {f"{k[0]} {k[1]}": round(v[0], 1) for k, v in results.items()},
                      "wallboard_p99_ms": round(percentile(latencies, 99), 1)}))


if __name__ == "__main__":
    main()
