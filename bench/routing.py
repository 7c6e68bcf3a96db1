"""Routing benchmark: route throughput, ingest-to-assigned latency, and the SLA sweep.

Builds a fresh database (a SQLite file or a new PostgreSQL database), runs the
migrations and sets up, in-process through the app's models and services:
three regions on three continents (Asia/Manila, Europe/Warsaw, America/Bogota)
whose calendars run around the clock (routing does not depend on the hour),
two client companies with SLA policies, and N agents spread over the regions
(English, some Spanish / Polish; every channel; capacity email 6 / chat 2 /
phone 1), all set online with ``presence.set_state``.

1. Throughput: N tickets are created in-process with ``tickets.create_ticket``
   before any worker runs (their routing jobs wait in the ``routing`` queue);
   then 2 real worker processes (``python -m workers routing``) start and the
   benchmark polls the database until every ticket has a routing decision (a
   ``ticket.assigned`` or ``ticket.queued`` event).
2. Latency: agents' slots are freed (bulk UPDATE of the assigned tickets to
   ``solved``) and tickets are created in-process at a fixed rate while the
   workers run; created-to-assigned is the ticket's ``created_at`` to its
   ``ticket.assigned`` event's ``created_at`` (both UTC from this machine's clock).
3. SLA sweep: the workers stop; 100,000 open tickets are bulk-inserted, ~1 % of
   them with an SLA warning and breach already due (and their resolution
   target still ahead, so each check schedules its next job); the periodic
   ``sla_sweep`` job is enqueued and run by a real worker process, timed by RQ
   from its start to its end (``--sweep-in process`` runs it in this process
   instead); its candidate query is timed alone (and EXPLAINed).

    .venv/bin/python bench/routing.py                          # SQLite and PostgreSQL
    .venv/bin/python bench/routing.py --backend postgresql --tickets 4000 --rate 30
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import psutil
from sqlalchemy import make_url

from harness import Processes, add_store_arguments, insert_tickets, run_checked, run_per_backend, stores, summary

VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-password-123"
REGIONS = (("manila", "Manila", "Asia/Manila"), ("warsaw", "Warsaw", "Europe/Warsaw"),
           ("bogota", "Bogota", "America/Bogota"))
# slug, name, contract languages, regions the contract allows (the first on shift in chain order gets new tickets)
CLIENTS = (("acme", "Acme Retail", ["en", "es"], ["manila", "warsaw", "bogota"]),
           ("bolt", "Bolt Energy", ["en", "pl"], ["warsaw", "bogota"]))
CAPACITY = {"email": 6, "chat": 2, "phone": 1, "web": 6, "api": 6}
ALL_CHANNELS = ["email", "phone", "chat", "web", "api"]
CHANNEL_MIX = (("email", 70), ("chat", 20), ("phone", 10))
PRIORITY_MIX = (("normal", 70), ("high", 20), ("low", 8), ("urgent", 2))
# priority: (first response, resolution) in minutes, around the clock
SLA_MINUTES = {"urgent": (30, 240), "high": (60, 480), "normal": (240, 1440), "low": (480, 2880)}
DECISIONS = ("ticket.assigned", "ticket.queued")
TEXTS = {
    "en": [("My order is late", "Hello, my order has not arrived yet and I need help with the delivery, please."),
           ("Cannot log in", "I reset my password twice but the website still says the password is wrong."),
           ("Refund request", "I returned the jacket two weeks ago and I am still waiting for my money back.")],
    "es": [("Pedido retrasado", "Hola, mi pedido no ha llegado todavía y necesito ayuda con la entrega, por favor."),
           ("No puedo entrar", "Cambié mi contraseña dos veces pero la página sigue diciendo que es incorrecta."),
           ("Reembolso", "Devolví la chaqueta hace dos semanas y todavía estoy esperando el reembolso.")],
    "pl": [("Opóźnione zamówienie", "Dzień dobry, moje zamówienie jeszcze nie dotarło i potrzebuję pomocy."),
           ("Nie mogę się zalogować", "Dwa razy zmieniłem hasło, ale strona nadal mówi, że hasło jest błędne."),
           ("Zwrot pieniędzy", "Zwróciłem kurtkę dwa tygodnie temu i nadal czekam na zwrot pieniędzy.")],
}


class CpuMeter:
    """CPU seconds per part of the system over a window (psutil), like ingest_api's meter, but processes
    are listed again at the end so PostgreSQL backends opened meanwhile count too (from zero). Only the
    backends of the benchmark's own database count, not other sessions on a shared server."""

    def __init__(self, procs: Processes | None, database: str | None) -> None:
        self.procs = procs
        self.database = database  # PostgreSQL: count only the backends serving this database
        self.start = self._sample()

    def _groups(self) -> dict[str, list[psutil.Process]]:
        workers = [psutil.Process(c.pid) for name, c in (self.procs.children if self.procs else [])
                   if name.startswith("worker") and c.poll() is None]
        every = list(psutil.process_iter(["name"]))
        return {
            "rq workers": workers + [c for p in workers for c in p.children(recursive=True)],
            "benchmark process": [psutil.Process()],
            "postgres": [p for p in every if self.database and p.info["name"] in ("postgres", "postmaster")
                         and self.database in " ".join(_cmdline(p))],
            "redis": [p for p in every if (p.info["name"] or "").startswith("redis")],
        }

    def _sample(self) -> dict[str, dict[int, float]]:
        totals: dict[str, dict[int, float]] = {}
        for name, members in self._groups().items():
            totals[name] = {}
            for proc in members:
                try:
                    times = proc.cpu_times()
                    totals[name][proc.pid] = times.user + times.system
                except psutil.Error:
                    pass
        return totals

    def read(self) -> dict[str, float]:
        end = self._sample()
        return {name: sum(seconds - self.start[name].get(pid, 0.0) for pid, seconds in pids.items())
                for name, pids in end.items()}


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []



def weighted(rng: random.Random, mix) -> str:
    return rng.choices([name for name, _ in mix], weights=[weight for _, weight in mix])[0]


class Bench:
    """The app, in this process, on one fresh database."""

    def __init__(self, env: dict, args: argparse.Namespace) -> None:
        os.environ.update(env)
        from config import DevelopmentConfig
        from helpdesk import create_app

        self.args = args
        url = make_url(env["DATABASE_URL"])
        self.database = url.database if url.get_backend_name() == "postgresql" else None
        self.app = create_app(DevelopmentConfig)
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.rng = random.Random(42)
        self.sequence = 0

    def close(self) -> None:
        from helpdesk.extensions import db

        db.session.remove()
        db.engine.dispose()
        self.ctx.pop()

    # -- setup -------------------------------------------------------------------------------------------------

    def setup(self) -> None:
        from sqlalchemy import select

        from helpdesk.client import clients
        from helpdesk.extensions import db
        from helpdesk.models import Agent, Calendar, Client, Region, SlaPolicy
        from helpdesk.platform import security
        from helpdesk.routing import presence

        for order, (slug, name, tz) in enumerate(REGIONS, 1):
            db.session.add(Region(name=name, slug=slug, chain_order=order, calendar=Calendar(
                name=f"{name} 24/7", timezone=tz, around_the_clock=True)))
        db.session.commit()
        for slug, name, languages, regions in CLIENTS:
            client = clients.create_client(name, slug, languages=languages, region_slugs=regions).client
            for priority, (first, resolution) in SLA_MINUTES.items():
                db.session.add(SlaPolicy(client_id=client.id, priority=priority, first_response_minutes=first,
                                         resolution_minutes=resolution, business_hours=False))
            db.session.commit()
        self.clients = [(c.id, c.languages) for c in db.session.scalars(select(Client).order_by(Client.id))]
        every_client = list(db.session.scalars(select(Client)))
        regions = {r.slug: r for r in db.session.scalars(select(Region))}
        # One password hash for everyone: argon2 for 200 agents would only slow the setup down.
        password_hash = security.hash_password(PASSWORD)
        for i in range(self.args.agents):
            slug, _, tz = REGIONS[i % len(REGIONS)]
            j = i // len(REGIONS)
            languages = ["en"] + (["es"] if j % 3 == 0 else []) + (["pl"] if j % 4 == 1 else [])
            agent = Agent(email=f"agent{i}@bench.test", name=f"Agent {i}", password_hash=password_hash,
                          role="agent", region=regions[slug], timezone=tz, languages=languages,
                          channels=list(ALL_CHANNELS), capacity=dict(CAPACITY),
                          all_clients=self.args.entitlement == "all")
            if self.args.entitlement == "explicit":
                agent.clients = list(every_client)
            db.session.add(agent)
        db.session.commit()
        for agent_id in list(db.session.scalars(select(Agent.id).order_by(Agent.id))):
            presence.set_state(agent_id, "online")

    def create_ticket(self) -> tuple[int, object]:
        """One ticket from the mix, created in-process like the API does; returns (id, created_at)."""
        from helpdesk.platform.events import Actor
        from helpdesk.platform.tenancy import TenantScope
        from helpdesk.tickets import service as tickets

        self.sequence += 1
        client_id, languages = self.clients[self.sequence % len(self.clients)]
        language = languages[1] if len(languages) > 1 and self.rng.random() < 0.25 else "en"
        subject, body = self.rng.choice(TEXTS[language])
        data = {"subject": subject, "body": body, "channel": weighted(self.rng, CHANNEL_MIX),
                "priority": weighted(self.rng, PRIORITY_MIX),
                "contact": {"email": f"customer{self.sequence % 500}@example.com"}}
        ticket, _ = tickets.create_ticket(TenantScope.for_client(client_id), data, Actor("api_key", None))
        return ticket.id, ticket.created_at

    # -- database reads ----------------------------------------------------------------------------------------

    def decided(self, first_id: int) -> int:
        from sqlalchemy import func, select

        from helpdesk.extensions import db
        from helpdesk.models import Event
        from helpdesk.platform.sqlite import read_only

        with read_only():
            count = db.session.scalar(select(func.count(func.distinct(Event.ticket_id))).where(
                Event.type.in_(DECISIONS), Event.ticket_id >= first_id))
            db.session.rollback()
        return count

    def decisions(self, first_id: int) -> dict[int, tuple[str, object]]:
        """ticket id -> (first decision type, its created_at)."""
        from sqlalchemy import select

        from helpdesk.extensions import db
        from helpdesk.models import Event
        from helpdesk.platform.sqlite import read_only

        found: dict[int, tuple[str, object]] = {}
        with read_only():
            rows = db.session.execute(select(Event.ticket_id, Event.type, Event.created_at).where(
                Event.type.in_(DECISIONS), Event.ticket_id >= first_id).order_by(Event.id)).all()
            db.session.rollback()
        for ticket_id, kind, at in rows:
            found.setdefault(ticket_id, (kind, at))
            if kind == "ticket.assigned" and found[ticket_id][0] != kind:
                found[ticket_id] = (kind, at)  # queued first, assigned later
        return found

    def invariants(self) -> str:
        """Agents over capacity on a channel; tickets assigned more than once."""
        from sqlalchemy import func, select

        from helpdesk.extensions import db
        from helpdesk.models import Event, Ticket
        from helpdesk.platform.sqlite import read_only

        with read_only():
            loads = db.session.execute(select(Ticket.assignee_id, Ticket.channel, func.count(Ticket.id)).where(
                Ticket.assignee_id.is_not(None), Ticket.status.in_(("new", "open", "on_hold")))
                .group_by(Ticket.assignee_id, Ticket.channel)).all()
            twice = db.session.scalar(select(func.count()).select_from(
                select(Event.ticket_id).where(Event.type == "ticket.assigned").group_by(Event.ticket_id)
                .having(func.count(Event.id) > 1).subquery()))
            db.session.rollback()
        over = sum(1 for _, channel, load in loads if load > CAPACITY[channel])
        return f"agent-channels over capacity {over}, tickets assigned twice {twice}"

    def region_split(self, first_id: int) -> str:
        from sqlalchemy import func, select

        from helpdesk.extensions import db
        from helpdesk.models import Region, Ticket
        from helpdesk.platform.sqlite import read_only

        with read_only():
            rows = db.session.execute(select(Region.slug, func.count(Ticket.id)).join(
                Ticket, Ticket.region_id == Region.id).where(Ticket.id >= first_id).group_by(Region.slug)).all()
            db.session.rollback()
        counts = dict(rows)
        return ", ".join(f"{slug} {counts.get(slug, 0)}" for slug, _, _ in REGIONS)


def wait_for_decisions(bench: Bench, procs: Processes, first_id: int, count: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = bench.decided(first_id)
        if done >= count:
            return done
        for name, child in procs.children:
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited: see {procs.workdir / (name + '.log')}")
        time.sleep(0.2)
    return done


def cpu_line(cpu: dict[str, float], per: int, unit: str) -> str:
    shares = ", ".join(f"{name} {seconds / max(1, per) * 1000:.1f}" for name, seconds in cpu.items() if seconds)
    return f"CPU ms per {unit:<10}{shares}"


def phase_throughput(bench: Bench, procs: Processes, env: dict, args) -> None:
    print(f"\n-- routing throughput: {args.tickets} tickets created first, then {args.workers} workers "
          f"(python -m workers routing) --", flush=True)
    began = time.perf_counter()
    first_id = None
    ingest_ms = []
    for _ in range(args.tickets):
        started = time.perf_counter()
        ticket_id, _ = bench.create_ticket()
        ingest_ms.append((time.perf_counter() - started) * 1000)
        first_id = first_id or ticket_id
    created_s = time.perf_counter() - began
    print(f"tickets created      {args.tickets} in-process in {created_s:.1f}s "
          f"(create_ticket {summary(ingest_ms)}; not part of the figures below)")
    print(f"tickets per region   {bench.region_split(first_id)}")

    spawned = time.perf_counter()
    for i in range(args.workers):
        procs.start(f"worker{i}", [sys.executable, "-m", "workers", "routing"], env)
    # CPU is metered from the first decision on: worker start-up (imports, language models) is left out.
    before = wait_for_decisions(bench, procs, first_id, 1, timeout=60)
    meter = CpuMeter(procs, bench.database)
    done = wait_for_decisions(bench, procs, first_id, args.tickets, timeout=max(120, args.tickets / 10))
    wall = time.perf_counter() - spawned
    cpu = meter.read()
    decisions = bench.decisions(first_id)
    times = sorted(at for _, at in decisions.values())
    assigned = sum(1 for kind, _ in decisions.values() if kind == "ticket.assigned")
    span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else float("nan")
    lo, hi = times[len(times) // 10], times[len(times) * 9 // 10]
    middle = (hi - lo).total_seconds()
    print(f"decisions            {done} of {args.tickets}: {assigned} assigned, {done - assigned} queued "
          f"(capacity is finite: queued is a decision too)")
    print(f"routed per second    {done / span:.1f} tickets/s first->last decision ({span:.1f}s); "
          f"{(len(times) * 8 // 10) / middle:.1f} tickets/s between the 10th and 90th percentile decision")
    print(f"wall from spawn      {wall:.1f}s including worker start-up and language-model load "
          f"({done / wall:.1f} tickets/s)")
    print(f"invariants           {bench.invariants()}")
    print(cpu_line(cpu, done - before, "decision"))


def phase_latency(bench: Bench, procs: Processes, args) -> None:
    from sqlalchemy import update

    from helpdesk.extensions import db
    from helpdesk.models import Ticket, utcnow

    print(f"\n-- ingest->assigned latency: {args.rate:g} tickets/s for {args.duration:g}s, created in-process "
          f"(tickets.create_ticket, paced with sleep), {args.workers} routing workers running --", flush=True)
    freed = db.session.execute(update(Ticket).where(
        Ticket.assignee_id.is_not(None), Ticket.status.in_(("new", "open", "on_hold")))
        .values(status="solved", solved_at=utcnow(), sla_next_check_at=None)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    print(f"slots freed          {freed} assigned tickets set to solved (bulk UPDATE, no drain)")
    time.sleep(1)
    meter = CpuMeter(procs, bench.database)
    created: dict[int, object] = {}
    late = 0
    count = int(args.rate * args.duration)
    began = time.perf_counter()
    for i in range(count):
        due = began + i / args.rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        else:
            late += 1
        ticket_id, created_at = bench.create_ticket()
        created[ticket_id] = created_at
    elapsed = time.perf_counter() - began
    first_id = min(created)
    done = wait_for_decisions(bench, procs, first_id, len(created), timeout=30)
    cpu = meter.read()
    decisions = bench.decisions(first_id)
    latency = [(at - created[tid]).total_seconds() * 1000 for tid, (kind, at) in decisions.items()
               if kind == "ticket.assigned" and tid in created]
    queued = sum(1 for tid, (kind, _) in decisions.items() if kind == "ticket.queued" and tid in created)
    print(f"tickets created      {len(created)} in {elapsed:.1f}s = {len(created) / elapsed:.1f} tickets/s "
          f"({late} started behind schedule)")
    print(f"created->assigned    {summary(latency)}")
    print(f"queued instead       {queued}; without a decision after 30 s: {len(created) - done}")
    print(f"invariants           {bench.invariants()}")
    print(cpu_line(cpu, len(created), "ticket"))


def phase_sweep(bench: Bench, env: dict, args) -> None:
    from sqlalchemy import func, select

    from helpdesk.extensions import db
    from helpdesk.models import Event, Ticket, utcnow

    print(f"\n-- SLA sweep: {args.sweep_tickets} open tickets bulk-inserted, ~{args.due_percent:g}% due; "
          f"routing workers stopped; then the sweep --", flush=True)
    dialect = db.engine.dialect.name
    now = utcnow()
    rng = random.Random(7)
    started = time.perf_counter()
    due = []

    def rows():
        for n in range(args.sweep_tickets):
            client_id, _ = bench.clients[n % len(bench.clients)]
            if rng.random() * 100 < args.due_percent:
                # Warning and breach already passed: check() raises both and escalates the priority.
                due.append(n)
                warning = now - timedelta(minutes=rng.uniform(1, 60))
                due_at = warning + timedelta(seconds=rng.uniform(1, 50))
            else:
                warning = now + timedelta(minutes=rng.uniform(1, 24 * 60))
                due_at = warning + timedelta(minutes=30)
            created_at = warning - timedelta(minutes=90)
            yield {
                "client_id": client_id, "number": 10_000_000 + n, "channel": "email",
                "subject": f"Sweep ticket {n}", "status": "open", "priority": "normal", "created_at": created_at,
                "updated_at": created_at, "tags": [], "custom_fields": {}, "sla_paused_seconds": 0,
                "sla_breached": False,
                # The resolution target is still ahead: a check schedules its next job, as in real life.
                "first_response_due_at": due_at, "resolution_due_at": due_at + timedelta(hours=20),
                "sla_alerts": {"first_response": {"warning_at": warning.isoformat()},
                               "resolution": {"warning_at": (due_at + timedelta(hours=15)).isoformat()}},
                "sla_next_check_at": warning,
            }

    insert_tickets(rows())
    due_count = len(due)
    print(f"bulk insert          {args.sweep_tickets} tickets in {time.perf_counter() - started:.1f}s "
          f"(SQLAlchemy Core, batches of 5000); {due_count} due")

    cutoff = utcnow() - timedelta(seconds=5)
    query = (select(Ticket.id).where(Ticket.sla_next_check_at <= cutoff)
             .order_by(Ticket.sla_next_check_at).limit(args.sweep_limit))
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        found = len(list(db.session.scalars(query)))
        runs.append((time.perf_counter() - t0) * 1000)
        db.session.rollback()
    print(f"candidate query      {statistics.median(runs):.1f} ms median, {min(runs):.1f} ms min of 5 runs "
          f"({found} ids; the sweep's SELECT alone)")
    compiled = query.compile(dialect=db.engine.dialect)
    connection = db.session.connection()
    if dialect == "postgresql":
        plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", compiled.params).scalars().all()
    else:
        params = tuple(cutoff.replace(tzinfo=None).isoformat(" ") if key.startswith("sla") else compiled.params[key]
                       for key in compiled.positiontup)
        plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)]
    db.session.rollback()
    print("query plan           " + "\n                     ".join(plan))

    events_before = db.session.scalar(select(func.count(Event.id)))
    db.session.rollback()
    meter = CpuMeter(None, bench.database)
    if args.sweep_in == "worker":
        checked, sweep_s, where = sweep_in_worker(env)
    else:
        checked, sweep_s, where = sweep_in_process(args)
    cpu = meter.read()
    raised = db.session.scalar(select(func.count(Event.id))) - events_before
    breached = db.session.scalar(select(func.count(Ticket.id)).where(Ticket.sla_breached.is_(True)))
    left = db.session.scalar(select(func.count(Ticket.id)).where(Ticket.sla_next_check_at <= cutoff))
    db.session.rollback()
    print(f"sla_clock.sweep      {sweep_s * 1000:.0f} ms {where}: {checked} tickets checked "
          f"({sweep_s * 1000 / max(1, checked):.2f} ms each), {raised} events raised (warning + breach), "
          f"{breached} tickets now breached, {left} still due")
    if args.sweep_in == "process":  # a worker's CPU is gone with its process before it can be read
        print(cpu_line(cpu, 1, "sweep"))


def sweep_in_process(args) -> tuple[int, float, str]:
    from helpdesk.sla import clock as sla_clock

    profiler = None
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    t0 = time.perf_counter()
    checked = sla_clock.sweep(limit=args.sweep_limit)
    elapsed = time.perf_counter() - t0
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    return checked, elapsed, f"in this process (limit={args.sweep_limit})"


def sweep_in_worker(env: dict) -> tuple[int, float, str]:
    """The periodic job itself: enqueued as the scheduler does, run by a real worker process; timed by RQ
    from the job's start to its end (the worker's start-up is left out)."""
    from redis import Redis
    from rq import Queue
    from rq.job import Job

    connection = Redis.from_url(env["REDIS_URL"])
    job = Queue("scheduled", connection=connection).enqueue("workers.jobs.sla_sweep", job_id="bench-sla-sweep",
                                                             result_ttl=600)
    run_checked([sys.executable, "-m", "workers", "--burst", "scheduled"], env)
    done = Job.fetch(job.id, connection=connection)
    return done.return_value(), (done.ended_at - done.started_at).total_seconds(), "as the RQ job, in a worker"


def run(backend: str, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"hd-bench-routing-{backend}-"))
    procs = Processes(workdir)
    bench = None
    with stores(backend, workdir, args.pg_url, args.redis_url, DB_POOL_SIZE="5") as env:
        try:
            print(f"\n== {backend}: {args.agents} agents in {len(REGIONS)} regions (around the clock), "
                  f"{len(CLIENTS)} clients, entitlement {args.entitlement}; load average before "
                  f"{os.getloadavg()[0]:.2f} ==", flush=True)
            started = time.perf_counter()
            bench = Bench(env, args)
            bench.setup()
            # Coming online asked for one queue drain per agent: run them now, while no ticket waits.
            run_checked([sys.executable, "-m", "workers", "--burst", "routing"], env)
            print(f"setup                {time.perf_counter() - started:.1f}s (migrations, regions, clients, "
                  f"agents online, their drain jobs run by a burst worker)")
            if "throughput" in args.phases:
                phase_throughput(bench, procs, env, args)
            if "latency" in args.phases:
                phase_latency(bench, procs, args)
            procs.stop()
            if "sweep" in args.phases:
                phase_sweep(bench, env, args)
        finally:
            procs.stop()
            if bench:
                bench.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_arguments(parser)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--entitlement", choices=["all", "explicit"], default="all",
                        help="all: agents serve every client (all_clients); explicit: each agent lists the "
                             "clients it serves (agent_clients rows)")
    parser.add_argument("--workers", type=int, default=2, help="routing worker processes")
    parser.add_argument("--tickets", type=int, default=2000, help="tickets for the throughput phase")
    parser.add_argument("--rate", type=float, default=20, help="tickets/s in the latency phase")
    parser.add_argument("--duration", type=float, default=30, help="seconds of the latency phase")
    parser.add_argument("--sweep-tickets", type=int, default=100_000)
    parser.add_argument("--due-percent", type=float, default=1.0)
    parser.add_argument("--sweep-limit", type=int, default=1000)
    parser.add_argument("--sweep-in", choices=["worker", "process"], default="worker",
                        help="run the sweep as the RQ job in a worker (default) or in this process")
    parser.add_argument("--profile", metavar="FILE", help="with --sweep-in process: a cProfile of the sweep")
    parser.add_argument("--phases", type=lambda text: set(text.split(",")),
                        default={"throughput", "latency", "sweep"},
                        help="comma-separated subset of throughput,latency,sweep (default: all)")
    run_per_backend(parser.parse_args(), run)


if __name__ == "__main__":
    main()
