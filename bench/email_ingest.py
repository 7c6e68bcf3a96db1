"""Email ingest benchmark: 10,000 generated messages forming threads, by import and over HTTP.

Generates threads the way mail programs reply (In-Reply-To and References to the
previous message, References only, replies to a reply, references to messages we
never saw, a few with 8-bit bodies and attachments), then files them twice on a
fresh database each time:

1. ``flask helpdesk import-mail`` on an mbox file (the real command, end to end), with the
   messages in thread order and shuffled (real exports and relays deliver out of order: a
   reply before the message it answers);
2. signed POSTs to /inbound/email/<client> against gunicorn (gevent) with RQ
   workers and the mail sink running, from concurrent keep-alive clients, thread
   round by thread round (a reply is sent once the message it answers was), in
   two modes: "sync" (each answer carries the outcome: filed in the request) and
   "async" (``Prefer: respond-async``: kept in the request, filed by the worker
   in batches). The async clock stops when the last message is filed, not when
   the last POST is answered.

Prints messages/s and threading accuracy: the share of messages that landed on
their own thread's ticket (following merges), with one ticket per thread.

    .venv/bin/python bench/email_ingest.py                          # both backends
    .venv/bin/python bench/email_ingest.py --backend postgresql --messages 10000
"""

from __future__ import annotations

import argparse
import http.client
import mailbox
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from harness import (
    PROJECT,
    CpuMeter,
    Processes,
    add_store_arguments,
    bench_region,
    free_port,
    percentile,
    run_per_backend,
    stores,
    summary,
)

VENV_BIN = Path(sys.executable).parent
REPLIES_PER_THREAD = 4


def generate(count: int) -> list[list[tuple[str, bytes]]]:
    """Rounds of (message id, raw bytes): round 0 opens every thread, round k answers round k-1."""
    threads = max(1, count // (REPLIES_PER_THREAD + 1))
    rounds: list[list[tuple[str, bytes]]] = [[] for _ in range(REPLIES_PER_THREAD + 1)]
    for t in range(threads):
        history: list[str] = []
        for depth in range(REPLIES_PER_THREAD + 1):
            message_id = f"<t{t}.m{depth}@customer{t % 50}.example>"
            rounds[depth].append((message_id, _message(t, depth, message_id, history)))
            history.append(message_id)
    return rounds


def _message(thread: int, depth: int, message_id: str, history: list[str]) -> bytes:
    message = EmailMessage()
    message["From"] = f"Customer {thread} <customer{thread}@customer{thread % 50}.example>"
    message["To"] = "support@bench.example"
    message["Subject"] = ("Re: " if depth else "") + f"Order {thread} has not arrived"
    message["Message-ID"] = message_id
    message["Date"] = "Tue, 24 Nov 2026 10:00:00 +0000"
    style = (thread + depth) % 5
    if depth:
        if style == 0:  # References only (some webmail)
            message["References"] = " ".join(history)
        elif style == 1:  # references to a side conversation we never received, then ours
            message["In-Reply-To"] = history[-1]
            message["References"] = " ".join([*history[:-1], f"<unseen-{thread}-{depth}@elsewhere.example>",
                                              history[-1]])
        else:
            message["In-Reply-To"] = history[-1]
            message["References"] = " ".join(history[-10:])
    body = f"Message {depth} about order {thread}. Where is my parcel?\n"
    if depth:
        body += f"\nOn Mon, 23 Nov 2026, support wrote:\n> Earlier message {depth - 1}\n> about the order\n"
    message.set_content(body if style != 3 else body + "Grüße aus Köln — ça va?\n")
    if style == 4 and depth == 0:
        message.add_attachment(os.urandom(2048), maintype="application", subtype="pdf", filename="receipt.pdf")
    return message.as_bytes(policy=SMTP)


def setup_client(env: dict) -> str:
    """One client company with a region on shift; returns its inbound secret."""
    with bench_region(env):
        from helpdesk.client import clients
        from helpdesk.staff import accounts as agents

        client = clients.create_client("Bench Co", "bench", support_email="support@bench.example").client
        for i in range(20):
            agents.create_agent(f"agent{i}@bench.test", f"Agent {i}", "bench-password-123", region_slug="bench",
                                all_clients=True)
        secret = client.inbound_webhook_secret
    return secret


def _engine(env: dict):
    from sqlalchemy import create_engine

    return create_engine(env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))


def wait_until_filed(env: dict, timeout: float = 600) -> float:
    """Wait until no stored message is waiting to be filed; returns when that was seen."""
    from sqlalchemy import text

    engine = _engine(env)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                waiting = connection.execute(text("SELECT count(*) FROM inbound_raw WHERE status = 'received'"))
                if waiting.scalar() == 0:
                    return time.perf_counter()
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise TimeoutError("messages still waiting to be filed")


def threading_accuracy(env: dict, rounds) -> tuple[float, int, int]:
    """(share of messages on their thread's ticket, tickets, messages found)."""
    from sqlalchemy import text

    engine = _engine(env)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT message_id_header, ticket_id FROM messages WHERE kind = 'inbound'"))
        ticket_of = dict(rows.all())
        merged_into = dict(connection.execute(text(
            "SELECT id, merged_into_id FROM tickets WHERE merged_into_id IS NOT NULL")).all())
        tickets = connection.execute(text("SELECT count(*) FROM tickets WHERE merged_into_id IS NULL")).scalar()
    for message_id, ticket_id in ticket_of.items():
        while ticket_id in merged_into:  # a merged ticket's mail belongs to the ticket it went into
            ticket_id = merged_into[ticket_id]
        ticket_of[message_id] = ticket_id
    engine.dispose()
    by_thread: dict[int, list[int | None]] = defaultdict(list)
    for round_messages in rounds:
        for index, (message_id, _) in enumerate(round_messages):
            by_thread[index].append(ticket_of.get(message_id))
    correct, owner_of_ticket = 0, {}
    for thread, ticket_ids in by_thread.items():
        root = ticket_ids[0]
        if root is None or owner_of_ticket.setdefault(root, thread) != thread:
            continue
        correct += sum(1 for ticket_id in ticket_ids if ticket_id == root)
    total = sum(len(ids) for ids in by_thread.values())
    return correct / total, tickets, len(ticket_of)


def bench_import(backend: str, args, rounds, workdir: Path, order: str) -> dict:
    box_path = workdir / f"bench-{order}.mbox"
    box = mailbox.mbox(str(box_path))
    box.lock()
    messages = [raw for round_messages in rounds for _, raw in round_messages]
    if order == "shuffled":
        random.Random(args.seed).shuffle(messages)
    for raw in messages:
        box.add(raw)
    box.flush()
    box.unlock()
    total = sum(len(r) for r in rounds)
    with stores(backend, workdir / f"import-{order}", args.pg_url, args.redis_url) as env:
        setup_client(env)
        started = time.perf_counter()
        completed = subprocess.run([str(VENV_BIN / "flask"), "--app", "helpdesk", "helpdesk", "import-mail",
                                    "--client", "bench", str(box_path)], cwd=PROJECT, env=env,
                                   capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if completed.returncode:
            raise RuntimeError(completed.stderr[-2000:])
        accuracy, tickets, found = threading_accuracy(env, rounds)
    print(f"\n== {backend}: import-mail of an mbox with {total} messages, {order} ==")
    print(f"command output       {completed.stdout.strip().splitlines()[-1]}")
    print(f"import rate          {total / elapsed:.1f} messages/s ({elapsed:.1f}s wall, process start included)")
    print(f"threading accuracy   {accuracy * 100:.2f}% ({tickets} tickets for {len(rounds[0])} threads, "
          f"{found} messages stored)")
    return {"rate": total / elapsed, "accuracy": accuracy}


def post_worker(port: int, secret: str, jobs: list[bytes], latencies: list, errors: list, prefer: dict) -> None:
    from helpdesk.channels.signatures import standard_webhooks_signature

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for n, raw in enumerate(jobs):
        msg_id = f"msg_{threading.get_ident()}_{n}_{time.time_ns()}"
        stamp = int(time.time())
        headers = {"Content-Type": "message/rfc822", "webhook-id": msg_id, "webhook-timestamp": str(stamp),
                   "webhook-signature": standard_webhooks_signature(secret, msg_id, stamp, raw), **prefer}
        started = time.perf_counter()
        conn.request("POST", "/inbound/email/bench", body=raw, headers=headers)
        response = conn.getresponse()
        body = response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status not in (200, 201, 202):
            errors.append((response.status, body[:200]))
    conn.close()


def bench_http(backend: str, args, rounds, workdir: Path, mode: str) -> dict:
    procs = Processes(workdir)
    prefer = {"Prefer": "respond-async"} if mode == "async" else {}
    total = sum(len(r) for r in rounds)
    sink_port = free_port()
    with stores(backend, workdir / f"http-{mode}", args.pg_url, args.redis_url, DB_POOL_SIZE="20",
                SMTP_URL=f"smtp://127.0.0.1:{sink_port}") as env:
        try:
            secret = setup_client(env)
            port = free_port()
            web_workers = args.web_workers or (1 if backend == "sqlite" else 2)
            procs.start("web", [str(VENV_BIN / "gunicorn"), "-k", "gevent", "-w", str(web_workers),
                                "--worker-connections", "1000", "-b", f"127.0.0.1:{port}", "wsgi:app"], env)
            procs.start("worker", [sys.executable, "-m", "workers"], env)
            procs.start("sink", [str(VENV_BIN / "flask"), "--app", "helpdesk", "helpdesk", "mail-sink",
                                 "--port", str(sink_port)], env)
            procs.wait_http(f"http://127.0.0.1:{port}/readyz")
            latencies: list[float] = []
            errors: list = []
            meter = CpuMeter(procs)
            started = time.perf_counter()
            for round_messages in rounds:
                raws = [raw for _, raw in round_messages]
                shares = [raws[i::args.concurrency] for i in range(args.concurrency)]
                threads = [threading.Thread(target=post_worker,
                                            args=(port, secret, share, latencies, errors, prefer))
                           for share in shares]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            answered = time.perf_counter() - started
            elapsed = wait_until_filed(env) - started
            cpu = meter.read()
            accuracy, tickets, found = threading_accuracy(env, rounds)
        finally:
            procs.stop()
    print(f"\n== {backend}: {total} signed POSTs to /inbound/email ({mode}), gunicorn gevent x{web_workers}, "
          f"1 RQ worker, mail sink, {args.concurrency} clients ==")
    print(f"HTTP ingest rate     {total / elapsed:.1f} messages/s filed ({elapsed:.1f}s; all answered after "
          f"{answered:.1f}s; errors: {len(errors)})")
    print(f"POST latency         {summary(latencies)}")
    print(f"threading accuracy   {accuracy * 100:.2f}% ({tickets} tickets for {len(rounds[0])} threads, "
          f"{found} messages stored)")
    print("CPU ms per message   " + ", ".join(f"{name} {seconds / total * 1000:.1f}" for name, seconds in cpu.items())
          + f" (machine: {os.cpu_count()} cores)")
    if errors:
        print("first errors:", errors[:3])
    return {"rate": total / elapsed, "accuracy": accuracy, "p99": percentile(latencies, 99)}


def run(backend: str, args: argparse.Namespace) -> None:
    rounds = generate(args.messages)
    workdir = Path(tempfile.mkdtemp(prefix=f"hd-bench-mail-{backend}-"))
    for order in args.orders if "import" in args.paths else []:
        bench_import(backend, args, rounds, workdir, order)
    for mode in args.http_modes if "http" in args.paths else []:
        bench_http(backend, args, rounds, workdir, mode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_arguments(parser)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=0, help="default: 1 on SQLite, 2 on PostgreSQL")
    parser.add_argument("--paths", nargs="+", choices=["import", "http"], default=["import", "http"])
    parser.add_argument("--orders", nargs="+", choices=["threads", "shuffled"], default=["threads", "shuffled"],
                        help="import: messages in thread order, shuffled, or both")
    parser.add_argument("--seed", type=int, default=7, help="the shuffle's seed")
    parser.add_argument("--http-modes", nargs="+", choices=["sync", "async"], default=["sync", "async"])
    run_per_backend(parser.parse_args(), run)


if __name__ == "__main__":
    main()
