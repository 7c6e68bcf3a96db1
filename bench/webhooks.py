"""Outbound webhooks benchmark: deliveries per second, and event-to-delivery latency at a steady rate.

Real RQ worker processes deliver to a keep-alive HTTP receiver on 127.0.0.1
(in this process; it checks every signature). Tickets are created through the
ticket service in this process, as the web process would, so their events go
through the outbox, the publish job's fan-out and the per-endpoint runs.

1. Throughput: with the workers stopped, N clients each create tickets; then
   the workers start and the clock runs until every ``ticket.created`` webhook
   has arrived (fan-out included).
2. Latency: tickets at a fixed rate; latency = arrival - the event's timestamp.

    .venv/bin/python bench/webhooks.py --backend postgresql
    .venv/bin/python bench/webhooks.py --backend sqlite --workers 1
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from harness import CpuMeter, Processes, add_store_arguments, bench_region, run_per_backend, stores, summary

VENV_BIN = Path(sys.executable).parent


class Receiver:
    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.arrivals: list[tuple[float, float, str]] = []  # (perf time, latency s, path)
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

            def do_POST(self):  # noqa: N802
                from helpdesk.channels import signatures
                from helpdesk.errors import Unauthorized

                raw = self.rfile.read(int(self.headers["Content-Length"]))
                now = time.time()
                try:
                    signatures.verify_standard_webhook([receiver.secrets[self.path]], self.headers, raw)
                except (Unauthorized, KeyError):
                    receiver.bad_signatures += 1
                sent_at = datetime.fromisoformat(json.loads(raw)["timestamp"]).timestamp()
                with receiver.lock:
                    receiver.arrivals.append((time.perf_counter(), now - sent_at, self.path))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def wait(self, count: int, timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if len(self.arrivals) >= count:
                return True
            time.sleep(0.02)
        return False


def setup(env: dict, clients: int, receiver: Receiver) -> list[int]:
    """Clients, each with one endpoint for ticket.created at the receiver; returns the client ids."""
    with bench_region(env):
        from helpdesk.channels.webhooks import endpoints
        from helpdesk.client import clients as client_service
        from helpdesk.platform.tenancy import TenantScope

        ids = []
        for number in range(clients):
            client = client_service.create_client(f"Hook {number}", f"hook{number}", region_slugs=["bench"]).client
            path = f"/c{number}"
            _, secret = endpoints.create_endpoint(TenantScope.for_client(client.id),
                                                  {"url": receiver.url(path), "event_types": ["ticket.created"]})
            receiver.secrets[path] = secret
            ids.append(client.id)
    return ids


def create_tickets(env: dict, client_ids: list[int], count: int, rate: float | None) -> None:
    """``count`` tickets round-robin over the clients, as fast as possible or at ``rate`` per second."""
    with bench_region_again(env):
        from helpdesk.platform.events import Actor
        from helpdesk.platform.tenancy import TenantScope
        from helpdesk.tickets import service

        started = time.perf_counter()
        for number in range(count):
            if rate:
                pause = started + number / rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
            client_id = client_ids[number % len(client_ids)]
            service.create_ticket(TenantScope.for_client(client_id),
                                  {"subject": f"hook {number}", "body": "benchmark"}, Actor("api_key", None), None)


class bench_region_again:  # noqa: N801 - a context manager like bench_region, without adding the region
    def __init__(self, env: dict) -> None:
        self.env = env

    def __enter__(self):
        from config import DevelopmentConfig
        from helpdesk import create_app

        self.app = create_app(DevelopmentConfig)
        self.context = self.app.app_context()
        self.context.push()
        return self.app

    def __exit__(self, *exc):
        from helpdesk.extensions import db

        db.session.remove()
        db.engine.dispose()
        self.context.pop()


def drop_queued_jobs(env: dict) -> None:
    """The tickets' routing and push jobs are not what this phase measures."""
    import redis as redis_client

    redis_client.Redis.from_url(env["REDIS_URL"]).flushdb()


def fan_out_here(env: dict) -> None:
    """What the publish job does for each event, here: the deliveries are saved and their runs queued."""
    with bench_region_again(env):
        from sqlalchemy import select

        from helpdesk.channels.webhooks import outbound
        from helpdesk.extensions import db
        from helpdesk.platform.models import Event

        ids = list(db.session.scalars(select(Event.id).where(Event.type == "ticket.created")))
        for start in range(0, len(ids), 500):
            outbound.fan_out(ids[start:start + 500])


def report(backend: str, label: str, receiver: Receiver, began: float, cpu: dict, count: int, workers: int,
           complete: bool) -> None:
    last = receiver.arrivals[-1][0] if receiver.arrivals else began
    delivered = len(receiver.arrivals)
    rate = delivered / max(1e-9, last - began)
    print(f"[{backend}] {label}: {delivered} of {count} webhooks to {len({p for _, _, p in receiver.arrivals})} "
          f"endpoints in {last - began:.1f} s with {workers} worker(s): {rate:.0f}/s"
          + ("" if complete else "  INCOMPLETE"))
    per = ", ".join(f"{name} {seconds / max(1, delivered) * 1000:.2f}" for name, seconds in cpu.items())
    print(f"[{backend}]   CPU ms per webhook: {per}")


def start_workers(procs: Processes, env: dict, count: int, first: int) -> None:
    for number in range(first, first + count):
        procs.start(f"worker{number}", [sys.executable, "-m", "workers"], env)


def run(backend: str, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"hd-bench-webhooks-{backend}-"))
    workers = args.workers or (1 if backend == "sqlite" else 2)
    procs = Processes(workdir)
    receiver = Receiver()
    with stores(backend, workdir, args.pg_url, args.redis_url, WEBHOOK_ALLOW_INTERNAL_URLS="1") as env:
        try:
            client_ids = setup(env, args.clients, receiver)
            # Sending alone: the deliveries exist (fanned out here), only their runs are queued.
            create_tickets(env, client_ids, args.backlog, None)
            drop_queued_jobs(env)
            start_workers(procs, env, workers, 0)
            time.sleep(4)  # the workers are up and idle before the clock starts
            meter = CpuMeter(procs)
            began = time.perf_counter()
            fan_out_here(env)
            complete = receiver.wait(args.backlog, timeout=300)
            report(backend, "fan-out and sending", receiver, began, meter.read(), args.backlog, workers, complete)
            # The whole path: tickets made while the workers are busy with routing, pushes and fan-out.
            receiver.arrivals.clear()
            began = time.perf_counter()
            meter = CpuMeter(procs)
            create_tickets(env, client_ids, args.backlog, None)
            complete = receiver.wait(args.backlog, timeout=300)
            report(backend, "whole path (ticket to webhook, as fast as tickets are made)", receiver, began,
                   meter.read(), args.backlog, workers, complete)

            receiver.arrivals.clear()
            count = int(args.rate * args.duration)
            create_tickets(env, client_ids, count, args.rate)
            receiver.wait(count, timeout=60)
            latencies = [latency * 1000 for _, latency, _ in receiver.arrivals]
            print(f"[{backend}] latency at {args.rate:.0f} events/s for {args.duration:.0f} s, event to delivery "
                  f"(ms): {summary(latencies)}; {len(latencies)} of {count} arrived")
            print(f"[{backend}] bad signatures: {receiver.bad_signatures}")
        finally:
            procs.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_arguments(parser)
    parser.add_argument("--clients", type=int, default=4, help="client companies, one endpoint each")
    parser.add_argument("--backlog", type=int, default=4000, help="webhooks in the throughput phase")
    parser.add_argument("--rate", type=float, default=20, help="events per second in the latency phase")
    parser.add_argument("--duration", type=float, default=30, help="seconds of the latency phase")
    parser.add_argument("--workers", type=int, default=0, help="RQ worker processes; default 1 on SQLite, 2 on PG")
    run_per_backend(parser.parse_args(), run)


if __name__ == "__main__":
    main()
