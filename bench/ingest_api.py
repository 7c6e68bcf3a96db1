"""Ingest benchmark: tickets POSTed over the REST API reach agents' sockets.

Starts the real system (gunicorn with the gevent worker, RQ worker processes,
Redis, a fresh database), connects agent sockets through the real login, then
POSTs tickets from concurrent keep-alive clients for a fixed time. Prints
tickets/s, POST latency and POST-to-socket-event latency, on SQLite and on
PostgreSQL.

    .venv/bin/python bench/ingest_api.py                      # both backends
    .venv/bin/python bench/ingest_api.py --backend postgresql --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

from harness import (
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
PASSWORD = "bench-password-123"


def setup_tenant(env: dict, agents: int) -> str:
    """Create one client company, a region on shift around the clock and N agents in it."""
    with bench_region(env):
        from helpdesk.client import clients
        from helpdesk.staff import accounts as agent_service

        key = clients.create_client("Bench Co", "bench", region_slugs=["bench"]).api_key
        for i in range(agents):
            agent_service.create_agent(f"agent{i}@bench.test", f"Agent {i}", PASSWORD, region_slug="bench",
                                       all_clients=True)
    return key


class AgentSockets:
    """Agents signed in through the login form, listening on /agent."""

    def __init__(self, base: str, count: int) -> None:
        self.first_seen: dict[int, float] = {}
        self.deliveries: list[tuple[int, float]] = []
        self.lock = threading.Lock()
        self.clients = [self._connect(base, f"agent{i}@bench.test") for i in range(count)]

    def _connect(self, base: str, email: str) -> socketio.Client:
        session = requests.Session()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', session.get(f"{base}/login").text)
        response = session.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                                       "csrf_token": token.group(1)}, allow_redirects=False)
        assert response.status_code == 302, response.text
        sio = socketio.Client(reconnection=False)
        sio.on("event", self._on_event, namespace="/agent")
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        sio.connect(base, namespaces=["/agent"], headers={"Cookie": cookie}, transports=["websocket"],
                    wait_timeout=10)
        return sio

    def _on_event(self, event: dict) -> None:
        now = time.perf_counter()
        if event.get("type") != "ticket.created":
            return
        with self.lock:
            self.first_seen.setdefault(event["ticket_id"], now)
            self.deliveries.append((event["ticket_id"], now))

    def close(self) -> None:
        for sio in self.clients:
            threading.Thread(target=sio.disconnect, daemon=True).start()


async def post_tickets(port: int, key: str, deadline: float, results: list, errors: list) -> None:
    """One keep-alive HTTP/1.1 connection POSTing tickets back to back (asyncio streams, so the
    load generator costs little CPU of the two cores it shares with the system)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = 0
    tag = id(writer)
    while time.perf_counter() < deadline:
        n += 1
        body = json.dumps({"subject": f"Bench ticket {tag}-{n}", "body": "My order is late.",
                           "priority": "normal", "contact": {"email": f"c{n % 500}@example.com"}}).encode()
        head = (f"POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        started = time.perf_counter()
        writer.write(head + body)
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        payload = await reader.readexactly(length)
        finished = time.perf_counter()
        status = int(status_line.split()[1])
        if status == 201:
            results.append((json.loads(payload)["id"], started, finished))
        else:
            errors.append((status, payload[:200]))
    writer.close()


def post_load(port: int, key: str, seconds: float, concurrency: int, results: list, errors: list) -> None:
    deadline = time.perf_counter() + seconds

    async def all_clients() -> None:
        await asyncio.gather(*(post_tickets(port, key, deadline, results, errors) for _ in range(concurrency)))

    asyncio.run(all_clients())


def run(backend: str, args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"hd-bench-{backend}-"))
    procs = Processes(workdir)
    with stores(backend, workdir, args.pg_url, args.redis_url,
                API_RATE_LIMIT="1000000/minute", DB_POOL_SIZE="20") as env:
        try:
            key = setup_tenant(env, args.agents)
            web_workers = args.web_workers or (1 if backend == "sqlite" else 2)
            rq_workers = args.rq_workers or (1 if backend == "sqlite" else 2)
            port = free_port()
            procs.start("web", [str(VENV_BIN / "gunicorn"), "-k", "gevent", "-w", str(web_workers),
                                "--worker-connections", "2000", "-b", f"127.0.0.1:{port}", "wsgi:app"], env)
            for i in range(rq_workers):
                procs.start(f"worker{i}", [sys.executable, "-m", "workers"], env)
            base = f"http://127.0.0.1:{port}"
            procs.wait_http(f"{base}/readyz")
            sockets = AgentSockets(base, args.agents)
            warm: list = []
            post_load(port, key, 2, 1, warm, [])
            time.sleep(1)
            sockets.first_seen.clear()
            sockets.deliveries.clear()

            meter = CpuMeter(procs)
            profilers = start_profilers(procs, args) if args.profile else []
            results: list = []
            errors: list = []
            print(f"[{backend}] load phase: {args.duration:.0f}s", flush=True)
            began = time.perf_counter()
            post_load(port, key, args.duration, args.concurrency, results, errors)
            elapsed = time.perf_counter() - began
            cpu = meter.read()
            for profiler in profilers:
                profiler.wait(60)
            wanted = {ticket_id for ticket_id, _, _ in results}
            wait_until = time.perf_counter() + 15
            while time.perf_counter() < wait_until and not wanted <= set(sockets.first_seen):
                time.sleep(0.1)
            sockets.close()
            figures = report(backend, args, results, errors, sockets, elapsed, web_workers, rq_workers)
            shares = ", ".join(f"{name} {seconds / max(1, len(results)) * 1000:.1f}"
                               for name, seconds in cpu.items())
            print(f"CPU ms per ticket    {shares} (machine: {os.cpu_count()} cores)")
            return figures
        finally:
            procs.stop()



def start_profilers(procs: Processes, args: argparse.Namespace) -> list[subprocess.Popen]:
    """py-spy flame graphs of the web processes and the RQ workers during the load phase."""
    out = Path(args.profile)
    out.mkdir(parents=True, exist_ok=True)
    py_spy = VENV_BIN / "py-spy"
    started = []
    for name, child in procs.children:
        if name != "web" and not name.startswith("worker"):
            continue
        for fmt, suffix in (("flamegraph", "svg"), ("raw", "txt")):
            started.append(subprocess.Popen(
                [str(py_spy), "record", "--pid", str(child.pid), "--subprocesses", "--nonblocking",
                 "--rate", "50", "--duration", str(int(args.duration)), "--format", fmt,
                 "-o", str(out / f"{name}.{suffix}")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return started


def report(backend, args, results, errors, sockets, elapsed, web_workers, rq_workers) -> dict:
    sent = {ticket_id: started for ticket_id, started, _ in results}
    post_ms = [(finished - started) * 1000 for _, started, finished in results]
    first_ms = [(seen - sent[tid]) * 1000 for tid, seen in sockets.first_seen.items() if tid in sent]
    every_ms = [(seen - sent[tid]) * 1000 for tid, seen in sockets.deliveries if tid in sent]
    missing = len(set(sent) - set(sockets.first_seen))
    figures = {
        "backend": backend,
        "tickets_per_s": len(results) / elapsed,
        "post_p50_ms": percentile(post_ms, 50), "post_p99_ms": percentile(post_ms, 99),
        "event_p50_ms": percentile(first_ms, 50), "event_p99_ms": percentile(first_ms, 99),
        "errors": len(errors), "missing_events": missing,
    }
    print(f"\n== {backend}: gunicorn gevent x{web_workers}, RQ workers x{rq_workers}, "
          f"{args.concurrency} POSTing clients, {args.agents} agent sockets, {args.duration}s ==")
    print(f"tickets created      {len(results)} in {elapsed:.1f}s = {figures['tickets_per_s']:.1f} tickets/s "
          f"(errors: {len(errors)})")
    print(f"POST latency         {summary(post_ms)}")
    print(f"POST->first socket   {summary(first_ms)}")
    print(f"POST->every socket   {summary(every_ms)}  ({len(every_ms)} deliveries)")
    print(f"tickets never seen   {missing}")
    if errors:
        print("first errors:", errors[:3])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_arguments(parser)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--web-workers", type=int, default=0, help="default: 1 on SQLite, 2 on PostgreSQL")
    parser.add_argument("--rq-workers", type=int, default=0, help="default: 1 on SQLite, 2 on PostgreSQL")
    parser.add_argument("--profile", default="", help="directory for py-spy flame graphs (web, workers)")
    run_per_backend(parser.parse_args(), run)


if __name__ == "__main__":
    main()
