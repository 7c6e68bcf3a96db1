"""`flask helpdesk up`: one command that runs the whole system on this machine."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from helpdesk.admin.demo import DEMO_LOGINS, regions_on_shift
from helpdesk.embedded_redis import EmbeddedRedis
from helpdesk.extensions import db
from workers.queues import LIVE_QUEUES, SCHEDULED_QUEUE

log = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parent.parent


class Launcher:
    def __init__(self, app: Flask, host: str, port: int) -> None:
        self.app = app
        self.host, self.port = host, port
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis: EmbeddedRedis | None = None
        self.stopping = False

    def run(self, prepare: Callable[[], None] | None = None) -> None:
        """Start everything; `prepare` (the demo seed) runs once Redis is up, so its events reach the queue."""
        env = os.environ.copy()
        if self.app.config["REDIS_EMBEDDED"]:
            # The socket path is the one config.py assumes when REDIS_URL is unset, so
            # `flask helpdesk worker` etc. started by hand find this server too.
            instance = Path(self.app.instance_path)
            self.redis = EmbeddedRedis(instance / "redis", socket_path=instance / "redis.sock")
            env["REDIS_URL"] = self.redis.url
        if prepare:
            prepare()
        # Human lines on this console from every process; everything as JSON lines in a file.
        env.setdefault("LOG_FILE", str(Path(self.app.instance_path) / "helpdesk.log"))
        self.log_file = env["LOG_FILE"]
        env.setdefault("HOST", self.host)
        env["PORT"] = str(self.port)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        try:
            self._spawn("web", [sys.executable, "wsgi.py"], env)
            # Live pushes get a worker of their own; "upkeep" (scheduled housekeeping) never delays them.
            self._spawn("worker", [sys.executable, "-m", "workers", *LIVE_QUEUES], env)
            self._spawn("upkeep", [sys.executable, "-m", "workers", SCHEDULED_QUEUE], env)
            self._spawn("scheduler", self._flask("scheduler"), env)
            self._spawn("smtp-in", self._flask("smtp", "--port", str(self.app.config["SMTP_INBOUND_PORT"])), env)
            if self.app.config["SMTP_EMBEDDED"]:
                sink_port = str(self.app.config["MAIL_SINK_PORT"])
                self._spawn("mail-sink", self._flask("mail-sink", "--port", sink_port), env)
            self._wait_ready()
            self._announce()
            self._supervise()
        finally:
            self._shutdown()

    @staticmethod
    def _flask(*command: str) -> list[str]:
        return [sys.executable, "-m", "flask", "--app", "helpdesk", "helpdesk", *command]

    def _spawn(self, name: str, argv: list[str], env: dict) -> None:
        self.processes[name] = subprocess.Popen(argv, cwd=PROJECT_DIR, env={**env, "HELPDESK_PROCESS": name})

    def _wait_ready(self, timeout: float = 60) -> None:
        url = f"http://{self.host}:{self.port}/readyz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping:
            self._check_alive()
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        if not self.stopping:
            raise SystemExit(f"helpdesk did not become ready at {url} within {timeout:.0f}s")

    def _announce(self) -> None:
        time.sleep(1)  # let the processes' start-up lines through first: the banner comes last
        rule = "  " + "=" * 74
        lines = [
            "",
            rule,
            f"  helpdesk is running: http://{self.host}:{self.port}/",
            f"  API docs:            http://{self.host}:{self.port}/api/v1/docs",
            f"  Redis:               {self.redis.url if self.redis else 'REDIS_URL'}",
            f"  Inbound SMTP:        127.0.0.1:{self.app.config['SMTP_INBOUND_PORT']} (mail to a support address)",
            f"  Outgoing mail:       http://{self.host}:{self.port}/admin/mail-outbox"
            if self.app.config["SMTP_EMBEDDED"] else "  Outgoing mail:       SMTP_URL",
            "  Demo logins (password for all: " + DEMO_LOGINS["password"] + "):",
        ]
        lines += [f"    {role:<11} {email}" for role, email in DEMO_LOGINS["accounts"]]
        lines += [f"  Client portal:       http://{self.host}:{self.port}/portal (same password)"]
        lines += [f"    {role:<15} {email}" for role, email in DEMO_LOGINS["portal"]]
        lines += [f"  On shift now:        {self._on_shift()}"]
        lines += ["  Client API keys: see instance/demo-keys.json",
                  f"  Logs (JSON lines): {self.log_file}", "  Press Ctrl-C to stop.", rule, ""]
        print("\n".join(lines), flush=True)

    def _on_shift(self) -> str:
        with self.app.app_context():
            try:
                names = regions_on_shift()
            finally:
                db.session.remove()
        return ", ".join(names) or "no region (every ticket waits in its region's queue)"

    def _check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None and not self.stopping:
                raise SystemExit(f"{name} exited with code {process.returncode}; stopping everything")

    def _supervise(self) -> None:
        while not self.stopping:
            self._check_alive()
            time.sleep(0.5)

    def _stop(self, *_args) -> None:
        self.stopping = True

    def _shutdown(self) -> None:
        self.stopping = True
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", name)
                process.kill()
        if self.redis:
            self.redis.close()
        print("helpdesk stopped.", flush=True)
