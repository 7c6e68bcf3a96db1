"""Shared plumbing for benchmarks: fresh databases, real processes, percentiles."""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psutil
import redis
import requests
from sqlalchemy import create_engine, make_url, text

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed(call, repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(values: list[float]) -> str:
    if not values:
        return "n=0"
    return (f"n={len(values)} p50={percentile(values, 50):.1f} p95={percentile(values, 95):.1f} "
            f"p99={percentile(values, 99):.1f} max={max(values):.1f} mean={statistics.fmean(values):.1f} ms")


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.node()} · {os.cpu_count()} cores · {cpu} · Python {platform.python_version()} · "
            f"calibration: 10M-iteration Python loop {calibration():.2f}s")


def calibration() -> float:
    """Seconds for a fixed pure-Python loop: lets readers scale figures to their machine."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - started


@contextmanager
def fresh_database(backend: str, workdir: Path, pg_url: str):
    """Yield a URL to an empty database of the given backend; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    url = make_url(pg_url)
    name = f"hd_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def add_store_arguments(parser) -> None:
    """--backend, --pg-url, --redis-url: shared by every benchmark."""
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL",
                                                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))


def run_per_backend(args, run) -> None:
    """Print the machine line, then ``run(backend, args)`` for each backend asked for."""
    print(f"machine: {machine()}")
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        run(backend, args)


@contextmanager
def stores(backend: str, workdir: Path, pg_url: str, redis_url: str, **env_overrides: str):
    """A fresh database and an empty Redis (embedded on SQLite, the server's on PostgreSQL).

    Yields the environment for the processes under test; cleans up on exit.
    """
    from helpdesk.embedded_redis import EmbeddedRedis  # after PROJECT is on sys.path (top of this module)

    with fresh_database(backend, workdir, pg_url) as database_url:
        embedded = None
        try:
            if backend == "sqlite":
                embedded = EmbeddedRedis(workdir / "redis")
                redis_url = embedded.url
            else:
                redis.Redis.from_url(redis_url).flushdb()
            env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                   "HELPDESK_INSTANCE": str(workdir), "HELPDESK_ENV": "development", "LOG_LEVEL": "WARNING",
                   "SECRET_KEY": "bench-secret-key-with-enough-length-0123456789", **env_overrides}
            run_checked([sys.executable, "-m", "flask", "--app", "helpdesk", "db", "upgrade"], env)
            yield env
        finally:
            if embedded:
                embedded.close()


@contextmanager
def bench_region(env: dict):
    """The app on the benchmark's fresh database, in an app context, with the region "bench" open
    around the clock; each benchmark adds its client and staff. Lets the database go on exit."""
    os.environ.update(env)
    from config import DevelopmentConfig
    from helpdesk import create_app
    from helpdesk.extensions import db
    from helpdesk.models import Calendar, Region

    app = create_app(DevelopmentConfig)
    with app.app_context():
        db.session.add(Region(name="Bench", slug="bench", chain_order=1,
                              calendar=Calendar(name="always", timezone="UTC", around_the_clock=True)))
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def insert_tickets(rows, size: int = 5000) -> int:
    """Bulk-insert ticket rows (dicts) through SQLAlchemy Core, committing every ``size``; then ANALYZE
    on PostgreSQL so that the planner knows the new table. Needs the app context; returns the count."""
    from sqlalchemy import insert

    from helpdesk.extensions import db
    from helpdesk.models import Ticket

    batch: list[dict] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            db.session.execute(insert(Ticket), batch)
            db.session.commit()
            count, batch = count + len(batch), []
    if batch:
        db.session.execute(insert(Ticket), batch)
        db.session.commit()
        count += len(batch)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE tickets"))
        db.session.commit()
    return count


def run_checked(argv: list[str], env: dict) -> None:
    completed = subprocess.run(argv, cwd=PROJECT, env=env, capture_output=True, text=True)
    if completed.returncode:
        raise RuntimeError(completed.stderr)


class Processes:
    """Child processes that are stopped together."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - lives as long as the child
        child = subprocess.Popen(argv, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        self.children.append((name, child))
        return child

    def wait_http(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, child in self.children:
                if child.poll() is not None:
                    raise RuntimeError(f"{name} exited: see {self.workdir / (name + '.log')}")
            try:
                if requests.get(url, timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{url} not ready")

    def stop(self) -> None:
        for _, child in self.children:
            if child.poll() is None:
                child.terminate()
        for _, child in self.children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)  # children such as RQ's scheduler process


class CpuMeter:
    """CPU seconds used during the load phase by each part of the system (psutil)."""

    def __init__(self, procs: Processes) -> None:
        self.groups = {
            "web": [psutil.Process(c.pid) for name, c in procs.children if name == "web"],
            "rq": [psutil.Process(c.pid) for name, c in procs.children if name.startswith("worker")],
            "load-generator": [psutil.Process()],
            "postgres": [p for p in psutil.process_iter(["name"]) if p.info["name"] in ("postgres", "postmaster")],
            "redis": [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("redis")],
        }
        for name in ("web", "rq"):
            self.groups[name] += [c for p in self.groups[name] for c in p.children(recursive=True)]
        self.start = self._sample()

    def _sample(self) -> dict[str, float]:
        totals = {}
        for name, members in self.groups.items():
            total = 0.0
            for proc in members:
                try:
                    times = proc.cpu_times()
                    total += times.user + times.system
                except psutil.Error:
                    pass
            totals[name] = total
        return totals

    def read(self) -> dict[str, float]:
        end = self._sample()
        return {name: end[name] - self.start[name] for name in end}
