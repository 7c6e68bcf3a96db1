"""Ticket search benchmark: 100,000 tickets with ~3 messages each, searched over HTTP.

Bulk-inserts the tickets of five client companies (20,000 each) and their
messages into a fresh migrated database (through the search triggers and
generated columns, as production writes do), then times searches through the
app's real HTTP stack (Flask test client, in process: routing, auth, service,
serialisation; no network):

- ``GET /agent/api/search`` as a signed-in admin (all clients, internal notes);
- ``GET /api/v1/tickets/search`` with one client's API key (its 20,000 tickets).

for a common word (in about half of all messages), a rare word (a handful of
messages), a ticket number and a two-word phrase. Prints p50/p95 per query.

    .venv/bin/python bench/search.py                       # both backends
    .venv/bin/python bench/search.py --backend sqlite --tickets 20000 --runs 10
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import add_store_arguments, bench_region, run_per_backend, stores, summary

CLIENTS = 5
CHUNK = 5_000
PASSWORD = "bench-password-123"
COMMON, RARE = "order", "xylophone"
QUERIES = {"common word": COMMON, "rare word": RARE, "number": "#12345", "phrase": '"parcel arrived"'}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def vocabulary(rng: random.Random) -> list[str]:
    """Made-up words, some with Polish and Spanish letters, so the index has a realistic spread."""
    letters = "abcdefghijklmnopqrstuvwxyzóąęłńśźżñéí"
    return ["".join(rng.choices(letters, k=rng.randint(3, 10))) for _ in range(20_000)]


def body(rng: random.Random, words: list[str]) -> str:
    chosen = rng.choices(words, k=rng.randint(20, 80))
    if rng.random() < 0.5:
        chosen.insert(rng.randrange(len(chosen)), COMMON)
    if rng.random() < 0.05:
        chosen += ["the", "parcel", "arrived"]
    return " ".join(chosen) + "."


def load(app, tickets: int, rng: random.Random) -> dict:
    """Clients, an admin, tickets and messages; returns what the timing needs."""
    from sqlalchemy import insert, text

    from helpdesk.client import clients
    from helpdesk.extensions import db
    from helpdesk.models import Message, Ticket
    from helpdesk.staff import accounts as agents

    made = [clients.create_client(f"Client {n}", f"client-{n}") for n in range(CLIENTS)]
    agents.create_agent("admin@bench.test", "Admin", PASSWORD, role="admin")
    db.session.commit()
    words = vocabulary(rng)
    started, now = time.perf_counter(), datetime.now(UTC)
    ticket_id = message_count = 0
    for chunk_start in range(0, tickets, CHUNK):
        ticket_rows, message_rows = [], []
        for _ in range(min(CHUNK, tickets - chunk_start)):
            ticket_id += 1
            client = made[(ticket_id - 1) % CLIENTS].client
            created = now - timedelta(minutes=tickets - ticket_id)
            ticket_rows.append({"id": ticket_id, "client_id": client.id, "number": (ticket_id - 1) // CLIENTS + 1,
                                "channel": "email", "subject": " ".join(rng.choices(words, k=5)),
                                "status": rng.choice(("new", "open", "pending", "solved", "closed")),
                                "priority": "normal", "tags": [], "custom_fields": {}, "sla_alerts": {},
                                "created_at": created, "updated_at": created})
            for n in range(rng.choice((2, 3, 3, 4))):
                message_rows.append({"client_id": client.id, "ticket_id": ticket_id, "channel": "email",
                                     "kind": "note" if n == 2 and rng.random() < 0.3 else "inbound",
                                     "body_text": body(rng, words), "headers": {}, "created_at": created})
        db.session.execute(insert(Ticket), ticket_rows)
        db.session.execute(insert(Message), message_rows)
        db.session.commit()
        message_count += len(message_rows)
    rare = rng.sample(range(1, ticket_id + 1), 5)
    db.session.execute(insert(Message), [{"client_id": made[(t - 1) % CLIENTS].client.id, "ticket_id": t,
                                          "channel": "email", "kind": "inbound", "headers": {}, "created_at": now,
                                          "body_text": f"My {RARE} is out of tune."} for t in rare])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE tickets; ANALYZE messages"))
    db.session.commit()
    elapsed = time.perf_counter() - started
    print(f"loaded               {ticket_id} tickets, {message_count + len(rare)} messages in {elapsed:.1f}s "
          f"({(ticket_id + message_count) / elapsed:.0f} rows/s, through the search triggers/generated columns)")
    return {"api_key": made[0].api_key}


def sign_in(app):
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    match = CSRF.search(page)
    response = browser.post("/login", data={"email": "admin@bench.test", "password": PASSWORD,
                                            "csrf_token": match.group(1) or match.group(2)})
    assert response.status_code == 302, response.status_code
    return browser


def time_queries(label: str, get, runs: int) -> None:
    for name, query in QUERIES.items():
        latencies, found = [], 0
        for attempt in range(runs + 3):  # three warm-up requests fill the page cache
            started = time.perf_counter()
            response = get(query)
            took = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.get_data(as_text=True)
            if attempt >= 3:
                latencies.append(took)
            payload = response.get_json()
            found = len(payload.get("tickets", payload.get("data", [])))
        print(f"{label:<7} {name:<12} {query!r:<18} {found:>3} hits shown   {summary(latencies)}")


def run(backend: str, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"hd-bench-search-{backend}-"))
    with stores(backend, workdir, args.pg_url, args.redis_url) as env, bench_region(env) as app:
        print(f"\n== {backend}: {args.tickets} tickets, {CLIENTS} clients, search over HTTP (in-process client) ==")
        loaded = load(app, args.tickets, random.Random(7))
        staff = sign_in(app)
        api = app.test_client()
        headers = {"Authorization": f"Bearer {loaded['api_key']}"}
        time_queries("staff", lambda q: staff.get("/agent/api/search", query_string={"q": q, "limit": 50}),
                     args.runs)
        time_queries("api", lambda q: api.get("/api/v1/tickets/search", query_string={"q": q, "limit": 25},
                                              headers=headers), args.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_arguments(parser)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    run_per_backend(parser.parse_args(), run)


if __name__ == "__main__":
    main()
