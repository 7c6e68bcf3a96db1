"""PII benchmark: what masking costs per message, what it adds to a ticket POST, and how long an
erasure and a retention run take.

In-process (Flask test client on a fresh database):
1. the masker alone on a 2 KB message, with the default rules (cards) and with every built-in rule
   plus three custom RE2 patterns;
2. POST /api/v1/tickets for a client on the default rules (cards) and one with every rule (same body);
3. erasure of a contact with N tickets of 3 messages each;
4. a retention run deleting M solved tickets.

    .venv/bin/python bench/privacy.py --backend postgresql
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from harness import add_store_arguments, bench_region, run_per_backend, stores, summary, timed

CARD = "4111 1111 1111 1111"
TEXT = ("Hello, I was charged twice on my card {card} for order ORD-123456 and my IBAN is "
        "DE89 3704 0044 0532 0130 00. Call me at +48 601 234 567 or mail pat@example.com. ") * 10
ALL_RULES = {"cards": True, "iban": True, "emails": True, "phones": True,
             "custom": [{"name": "order number", "pattern": r"ORD-\d{6}"},
                        {"name": "passport", "pattern": r"\b[A-Z]{2}\d{7}\b"},
                        {"name": "member id", "pattern": r"MBR-[A-Z0-9]{8}"}]}


def run(backend: str, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"hd-bench-privacy-{backend}-"))
    with stores(backend, workdir, args.pg_url, args.redis_url, API_RATE_LIMIT="1000000/minute") as env, \
            bench_region(env) as app:
        from sqlalchemy import text

        from helpdesk.client import clients, pii
        from helpdesk.extensions import db
        from helpdesk.platform.db import utcnow
        from helpdesk.privacy import retention

        body = TEXT.format(card=CARD)[:2048]
        print(f"[{backend}] masker on a {len(body)}-character message:")
        for name, rules in (("default (cards)", {}), ("all built-in + 3 custom", ALL_RULES)):
            masker = pii.masker(rules)
            print(f"[{backend}]   {name:<26} {summary(timed(lambda m=masker: m.text(body), 2000))}")

        plain = clients.create_client("Plain", "plain", region_slugs=["bench"])
        masked = clients.create_client("Masked", "masked", region_slugs=["bench"])
        masked.client.pii_masking = ALL_RULES
        db.session.commit()
        web = app.test_client()

        def post(key: str, contact: str | None = None) -> dict:
            data = {"subject": "Charged twice", "body": body}
            if contact:
                data["contact"] = {"email": contact}
            response = web.post("/api/v1/tickets", json=data, headers={"Authorization": f"Bearer {key}"})
            assert response.status_code == 201, response.get_data(as_text=True)
            return response.get_json()

        for key in (plain.api_key, masked.api_key):
            timed(lambda k=key: post(k), 20)  # warm
        for _ in range(2):  # alternate, so drift on the machine hits both alike
            without = timed(lambda: post(plain.api_key), args.posts)
            with_rules = timed(lambda: post(masked.api_key), args.posts)
        print(f"[{backend}] POST /api/v1/tickets, default (cards):{summary(without)}")
        print(f"[{backend}] POST /api/v1/tickets, every rule:     {summary(with_rules)}")

        auth = {"Authorization": f"Bearer {masked.api_key}"}
        tickets = [post(masked.api_key, "erase-me@example.com") for _ in range(args.erase_tickets)]
        for ticket in tickets:
            for _ in range(2):
                web.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": body}, headers=auth)
        contact_id = tickets[0]["contact"]["id"]
        started = time.perf_counter()
        answer = web.post(f"/api/v1/contacts/{contact_id}/erase", headers=auth)
        erase_ms = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200, answer.get_data(as_text=True)
        removed = answer.get_json()["removed"]
        print(f"[{backend}] erasure of a contact with {removed['tickets']} tickets, {removed['messages']} messages, "
              f"{removed['events']} events: {erase_ms:.0f} ms")

        ids = [post(plain.api_key)["id"] for _ in range(args.retention_tickets)]
        db.session.execute(text("UPDATE tickets SET status = 'solved', solved_at = :at WHERE client_id = :client"),
                           {"at": utcnow() - timedelta(days=40), "client": plain.client.id})
        plain.client.retention_days = 30
        db.session.commit()
        started = time.perf_counter()
        done = retention.apply_all()
        seconds = time.perf_counter() - started
        print(f"[{backend}] retention run: {done['tickets']} tickets deleted (of {len(ids) + 20 + 2 * args.posts} "
              f"solved) in {seconds:.2f} s = {done['tickets'] / seconds:.0f} tickets/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_arguments(parser)
    parser.add_argument("--posts", type=int, default=150)
    parser.add_argument("--erase-tickets", type=int, default=50)
    parser.add_argument("--retention-tickets", type=int, default=2000)
    run_per_backend(parser.parse_args(), run)


if __name__ == "__main__":
    main()
