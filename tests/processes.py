"""Start the real server and worker as subprocesses for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.factories import PASSWORD

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright's own browser downloads do not work here


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(database_url: str, redis_url: str, instance: Path, **extra: str) -> dict:
    env = os.environ.copy()
    env.update({
        "HELPDESK_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HELPDESK_INSTANCE": str(instance),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
        "LOG_LEVEL": "WARNING",
        **extra,
    })
    return env


class Proc:
    def __init__(self, argv: list[str], env: dict, log: Path) -> None:
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        # Own process group: stop() and kill() reach the children too (RQ's scheduler process).
        self.popen = subprocess.Popen(argv, cwd=PROJECT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group, as a host or container kill would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill_group()
                self.popen.wait()
        # Whatever the leader left behind in its group must not outlive the test.
        self.kill_group()
        self._log.close()
        return self.popen.returncode


def start_web(env: dict, port: int, log: Path) -> Proc:
    env = {**env, "PORT": str(port), "HOST": "127.0.0.1"}
    proc = Proc([sys.executable, "wsgi.py"], env, log)
    wait_http(f"http://127.0.0.1:{port}/readyz", proc)
    return proc


def start_worker(env: dict, log: Path) -> Proc:
    return Proc([sys.executable, "-m", "workers"], env, log)


def wait_http(url: str, proc: Proc, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"process exited early:\n{proc.output()}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in {timeout}s:\n{proc.output()}")


def browser_login(base: str, email: str, password: str) -> requests.Session:
    """Sign in through the real login form (CSRF token and all) like a browser."""
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = session.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token},
                            allow_redirects=False)
    assert response.status_code == 302, response.text
    return session


def staff_csrf(session: requests.Session, base: str) -> str:
    """The CSRF token the agent page gives its scripts (meta csrf-token), for the staff JSON API."""
    page = session.get(f"{base}/agent", timeout=10).text
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def sign_in_page(page, base: str, email: str) -> None:
    """Sign a Playwright page in through the login form; it lands on the inbox."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/agent")
