"""Agent workspace benchmark: live fan-out to 500 agent sockets, and the inbox page with 100,000 tickets.

Starts gunicorn (gevent) and an RQ worker on a fresh database, signs N agents
in through the login form, and connects one /agent Socket.IO socket each
(websocket transport, their session cookie), spread over several receiver
processes so that the load generator is not the bottleneck.

1. Fan-out: events are emitted the way workers emit them (the app's Socket.IO
   server object, write-only through the Redis message queue), stamped with
   the wall-clock time of the emit:
   - broadcast: to the region's queue room, which every agent's socket joined
     (each emit reaches all N sockets); latency per receipt, and per emit the
     time until the last socket had it;
   - per agent: to one agent's personal room at a time.
2. Inbox: 100,000 tickets are bulk-inserted (a few hundred assigned to the
   signed-in agent, thousands waiting in their region's queue), then the
   inbox page and the JSON calls it makes are fetched one after another.

    .venv/bin/python bench/agents.py                             # both backends, 500 agents
    .venv/bin/python bench/agents.py --backend postgresql --agents 200 --tickets 20000
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests
import socketio

from harness import (
    CpuMeter,
    Processes,
    add_store_arguments,
    bench_region,
    free_port,
    insert_tickets,
    percentile,
    run_per_backend,
    stores,
    summary,
)

VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-password-123"
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def setup(env: dict, count: int) -> None:
    with bench_region(env):
        from helpdesk.client import clients
        from helpdesk.extensions import db
        from helpdesk.models import Agent, Region
        from helpdesk.platform import security

        clients.create_client("Bench Co", "bench", region_slugs=["bench"])
        region = db.session.scalar(db.select(Region).where(Region.slug == "bench"))
        password_hash = security.hash_password(PASSWORD)  # one hash: 500 argon2 runs would only slow set-up
        db.session.add_all([
            Agent(email=f"agent{i}@bench.test", name=f"Agent {i}", password_hash=password_hash, role="agent",
                  region=region, timezone="Europe/Warsaw", languages=["en"], channels=["email", "chat"],
                  capacity={"email": 6, "chat": 2}, all_clients=True)
            for i in range(count)])
        db.session.commit()


def sign_in(base: str, index: int) -> str:
    """The session cookie of agent ``index``, through the login form (CSRF included)."""
    http = requests.Session()
    token = CSRF_FIELD.search(http.get(f"{base}/login").text).group(1)
    answer = http.post(f"{base}/login", data={"email": f"agent{index}@bench.test", "password": PASSWORD,
                                             "csrf_token": token}, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"login of agent{index}: {answer.status_code} {answer.text[:200]}")
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def receiver(base: str, cookies: list[str], ready, results, stop) -> None:
    """One process holding many agent sockets; reports (kind, emit id, latency s) per receipt."""
    received: list[tuple[str, int, float]] = []
    sockets = []

    def on_event(event: dict) -> None:
        data = event.get("data") or {}
        if "sent_at" in data:
            received.append((event["type"], data["emit"], time.time() - data["sent_at"]))

    for cookie in cookies:
        sio = socketio.Client(reconnection=False)
        sio.on("event", on_event, namespace="/agent")
        sio.connect(base, namespaces=["/agent"], headers={"Cookie": cookie}, transports=["websocket"],
                    wait_timeout=30)
        sockets.append(sio)
    ready.put(len(sockets))
    stop.wait()
    results.put(received)
    for sio in sockets:
        sio.disconnect()


def emitter():
    """The app's Socket.IO server object in this process, as in a worker: emits go out through the Redis
    message queue. Built after the receivers are forked, so that no child inherits its connections."""
    from config import DevelopmentConfig
    from helpdesk import create_app
    from helpdesk.extensions import socketio

    create_app(DevelopmentConfig).app_context().push()
    return socketio


def fan_out(sio, region_id: int, agent_ids: list[int], args) -> None:
    from helpdesk.realtime import AGENT_NS, agent_room, queue_room

    rng = random.Random(5)
    for n in range(args.broadcasts):
        sio.emit("event", {"type": "bench.broadcast", "data": {"emit": n, "sent_at": time.time()}},
                 to=queue_room(region_id), namespace=AGENT_NS)
        time.sleep(args.gap)
    for n in range(args.personal):
        sio.emit("event", {"type": "bench.personal", "data": {"emit": n, "sent_at": time.time()}},
                 to=agent_room(rng.choice(agent_ids)), namespace=AGENT_NS)
        time.sleep(1 / args.personal_rate)
    time.sleep(2)  # the last receipts


def report_fan_out(receipts: list[tuple[str, int, float]], args) -> None:
    broadcast = [latency * 1000 for kind, _, latency in receipts if kind == "bench.broadcast"]
    last = {}
    for kind, emit, latency in receipts:
        if kind == "bench.broadcast":
            last[emit] = max(last.get(emit, 0), latency * 1000)
    personal = [latency * 1000 for kind, _, latency in receipts if kind == "bench.personal"]
    expected = args.broadcasts * args.agents
    print(f"broadcast receipts   {len(broadcast)} of {expected} ({args.broadcasts} emits to {args.agents} sockets)")
    print(f"broadcast latency    {summary(broadcast)}")
    print(f"last socket reached  {summary(list(last.values()))} (per emit: until all {args.agents} had it)")
    print(f"per-agent receipts   {len(personal)} of {args.personal} at {args.personal_rate:g}/s")
    print(f"per-agent latency    {summary(personal)}")


def phase_fan_out(base: str, procs: Processes, args) -> tuple[int, list[int], list[str]]:
    from helpdesk.extensions import db
    from helpdesk.models import Agent, Region

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        cookies = list(pool.map(lambda i: sign_in(base, i), range(args.agents)))
    print(f"signed in            {args.agents} agents in {time.perf_counter() - started:.1f}s (login form)")
    context = multiprocessing.get_context("fork")
    ready, results, stop = context.Queue(), context.Queue(), context.Event()
    shares = [cookies[i::args.receivers] for i in range(args.receivers)]
    children = [context.Process(target=receiver, args=(base, share, ready, results, stop), daemon=True)
                for share in shares]
    started = time.perf_counter()
    for child in children:
        child.start()
    connected = sum(ready.get(timeout=300) for _ in children)
    print(f"sockets connected    {connected} in {time.perf_counter() - started:.1f}s "
          f"({args.receivers} receiver processes, websocket)")
    sio = emitter()
    region_id = db.session.scalar(db.select(Region.id).where(Region.slug == "bench"))
    agent_ids = list(db.session.scalars(db.select(Agent.id).order_by(Agent.id)))
    db.session.remove()
    meter = CpuMeter(procs)
    fan_out(sio, region_id, agent_ids, args)
    cpu = meter.read()
    stop.set()
    receipts = [item for _ in children for item in results.get(timeout=120)]
    for child in children:
        child.join(30)
    report_fan_out(receipts, args)
    print("CPU s in fan-out     " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items()))
    return region_id, agent_ids, cookies


def bulk_tickets(region_id: int, agent_id: int, count: int) -> None:
    """``count`` tickets of the bench client: most solved or closed, some waiting, a few for the agent."""
    from helpdesk.extensions import db
    from helpdesk.models import Client, utcnow

    client_id = db.session.scalar(db.select(Client.id).where(Client.slug == "bench"))
    now = utcnow()
    rng = random.Random(9)

    def rows():
        for n in range(count):
            roll = rng.random()
            status = "open" if roll < 0.05 else "new" if roll < 0.10 else rng.choice(("solved", "closed", "pending"))
            created = now - timedelta(minutes=rng.uniform(1, 60 * 24 * 90))
            yield {
                "client_id": client_id, "number": 1_000_000 + n, "channel": rng.choice(("email", "chat", "phone")),
                "subject": f"Bench ticket {n}", "status": status, "priority": "normal", "region_id": region_id,
                "assignee_id": agent_id if status == "open" and roll < 0.002 else None, "created_at": created,
                "updated_at": created, "queued_at": created, "tags": [], "custom_fields": {},
                "sla_paused_seconds": 0, "sla_breached": False, "sla_alerts": {},
            }

    insert_tickets(rows())
    db.session.remove()


def phase_inbox(base: str, region_id: int, agent_ids: list[int], cookies: list[str], args) -> None:
    started = time.perf_counter()
    bulk_tickets(region_id, agent_ids[0], args.tickets)
    print(f"\nbulk insert          {args.tickets} tickets in {time.perf_counter() - started:.1f}s")
    http = requests.Session()
    http.headers["Cookie"] = cookies[0]
    for path in args.inbox_paths:
        timings = []
        for run in range(args.inbox_runs + 3):
            t0 = time.perf_counter()
            answer = http.get(f"{base}{path}")
            if answer.status_code != 200:
                raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:200]}")
            if run >= 3:  # warm-up left out
                timings.append((time.perf_counter() - t0) * 1000)
        print(f"GET {path:<28} {summary(timings)}; p95 {percentile(timings, 95):.1f} ms, {len(answer.content)} bytes")


def run(backend: str, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"hd-bench-agents-{backend}-"))
    procs = Processes(workdir)
    print(f"\n== {backend}: {args.agents} agent sockets, gunicorn gevent x{args.web_workers}, Redis message queue ==",
          flush=True)
    with stores(backend, workdir, args.pg_url, args.redis_url, DB_POOL_SIZE="30",
                LOGIN_RATE_LIMIT="100000/minute") as env:
        try:
            setup(env, args.agents)
            port = free_port()
            procs.start("web", [str(VENV_BIN / "gunicorn"), "-k", "gevent", "-w", str(args.web_workers),
                                "--worker-connections", "4000", "-b", f"127.0.0.1:{port}", "wsgi:app"], env)
            procs.start("worker", [sys.executable, "-m", "workers"], env)
            base = f"http://127.0.0.1:{port}"
            procs.wait_http(f"{base}/readyz")
            region_id, agent_ids, cookies = phase_fan_out(base, procs, args)
            phase_inbox(base, region_id, agent_ids, cookies, args)
        finally:
            procs.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_arguments(parser)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--receivers", type=int, default=4, help="processes holding the sockets")
    parser.add_argument("--web-workers", type=int, default=1)
    parser.add_argument("--broadcasts", type=int, default=30)
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between broadcasts")
    parser.add_argument("--personal", type=int, default=300)
    parser.add_argument("--personal-rate", type=float, default=50, help="per-agent emits per second")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--inbox-runs", type=int, default=40)
    parser.add_argument("--inbox-paths", nargs="+", default=["/agent"],
                        help="pages and JSON calls of the inbox, fetched in turn")
    run_per_backend(parser.parse_args(), run)


if __name__ == "__main__":
    main()
