"""Live chat benchmark: concurrent visitor chats against the real server, agents answering.

Starts gunicorn (gevent) and RQ workers on a fresh database, then opens N visitor
sockets on /chat (websocket, with the client site's Origin) and a few agent
bots signed in through the login form on /agent. Each visitor starts a chat and
then, round after round, writes a line, waits for the agent's answer and
"thinks" a few seconds like a person (starts are spread over a ramp); a bot
answers each visitor line through the agent reply API as soon as the line's
event reaches its socket. Prints, per direction, the latency p50/p99:

- visitor → agent: visitor emits "message" → the event reaches the agent socket;
- agent → visitor: the agent's reply POST is sent → the "message" reaches the widget.

    .venv/bin/python bench/chat.py                               # both backends, 200 chats, a line per ~10 s
    .venv/bin/python bench/chat.py --backend postgresql --think 5 --ramp 10   # twice the pace: saturation
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import socketio

from harness import (
    CpuMeter,
    Processes,
    add_store_arguments,
    bench_region,
    free_port,
    run_per_backend,
    stores,
    summary,
)

VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-password-123"
SITE = "https://shop.bench.example"
LINE = re.compile(r"^v:(\d+):(\d+)$")


def setup(env: dict, bots: int) -> None:
    with bench_region(env):
        from helpdesk.channels.chat import conversations as chat
        from helpdesk.client import clients
        from helpdesk.staff import accounts as agents

        clients.create_client("Bench Co", "bench", region_slugs=["bench"])
        chat.set_allowed_origins("bench", [SITE])
        for i in range(bots):
            agents.create_agent(f"bot{i}@bench.test", f"Bot {i}", PASSWORD, role="supervisor", all_clients=True)


class AgentBot:
    """A supervisor socket that answers the visitor lines of the chats it owns."""

    def __init__(self, base: str, index: int, count: int, results: dict, pool: ThreadPoolExecutor) -> None:
        self.base, self.index, self.count, self.results, self.pool = base, index, count, results, pool
        self.http = requests.Session()
        page = self.http.get(f"{base}/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        answer = self.http.post(f"{base}/login", data={"email": f"bot{index}@bench.test", "password": PASSWORD,
                                                      "csrf_token": token}, allow_redirects=False)
        assert answer.status_code == 302, answer.text
        self.csrf = self.http.get(f"{base}/agent").text.split('name="csrf-token" content="')[1].split('"')[0]
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self.on_event, namespace="/agent")
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        self.sio.connect(base, namespaces=["/agent"], headers={"Cookie": cookie}, transports=["websocket"],
                         wait_timeout=20)

    def on_event(self, event: dict) -> None:
        now = time.perf_counter()
        message = (event.get("data") or {}).get("message") or {}
        line = LINE.match(message.get("excerpt") or "")
        if event.get("type") != "message.created" or message.get("kind") != "inbound" or not line:
            return
        chat_id, round_no = int(line.group(1)), int(line.group(2))
        if chat_id % self.count != self.index:
            return
        self.results["to_agent"].append(now - self.results["sent"][(chat_id, round_no)])
        self.pool.submit(self.reply, event["ticket_id"], chat_id, round_no)

    def reply(self, ticket_id: int, chat_id: int, round_no: int) -> None:
        key = ("a", chat_id, round_no)
        self.results["sent"][key] = time.perf_counter()
        answer = self.http.post(f"{self.base}/agent/api/tickets/{ticket_id}/messages",
                                json={"body": f"a:{chat_id}:{round_no}"}, headers={"X-CSRFToken": self.csrf})
        if answer.status_code != 201:
            self.results["errors"].append(("reply", answer.status_code, answer.text[:200]))


def visitor(base: str, chat_id: int, args: argparse.Namespace, results: dict, start_gate: threading.Barrier) -> None:
    pace = random.Random(chat_id)
    answered = threading.Event()
    expected: dict[str, str] = {}

    def on_message(message: dict) -> None:
        if message.get("from") == "agent" and message.get("text") == expected.get("text"):
            results["to_visitor"].append(time.perf_counter() - results["sent"][("a", chat_id, expected["round"])])
            answered.set()

    sio = socketio.Client(reconnection=False, websocket_extra_options={"origin": SITE})
    sio.on("message", on_message, namespace="/chat")
    try:
        sio.connect(base, namespaces=["/chat"], auth={"client": "bench"}, transports=["websocket"],
                    wait_timeout=30)
        start_gate.wait(120)
        time.sleep(pace.uniform(0, args.ramp))
        started = sio.call("start", {"text": f"Hello from visitor {chat_id}", "name": f"Visitor {chat_id}"},
                           namespace="/chat", timeout=30)
        if "error" in started:
            raise RuntimeError(started["error"])
        for round_no in range(args.rounds):
            time.sleep(args.think * pace.uniform(0.5, 1.5))
            answered.clear()
            expected.update(text=f"a:{chat_id}:{round_no}", round=round_no)
            results["sent"][(chat_id, round_no)] = time.perf_counter()
            sent = sio.call("message", {"text": f"v:{chat_id}:{round_no}"}, namespace="/chat", timeout=30)
            if "error" in sent:
                raise RuntimeError(sent["error"])
            if not answered.wait(60):
                raise TimeoutError(f"chat {chat_id} round {round_no}: no answer")
        results["done"].append(chat_id)
    except Exception as exc:  # noqa: BLE001 - counted and shown, the other chats go on
        results["errors"].append(("visitor", chat_id, repr(exc)[:200]))
    finally:
        threading.Thread(target=sio.disconnect, daemon=True).start()


def run(backend: str, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"hd-bench-chat-{backend}-"))
    procs = Processes(workdir)
    results: dict = {"sent": {}, "to_agent": [], "to_visitor": [], "errors": [], "done": []}
    with stores(backend, workdir, args.pg_url, args.redis_url, DB_POOL_SIZE="30",
                CHAT_RATE_LIMIT="1000") as env:
        try:
            setup(env, args.bots)
            port = free_port()
            web_workers = args.web_workers or (1 if backend == "sqlite" else 2)
            procs.start("web", [str(VENV_BIN / "gunicorn"), "-k", "gevent", "-w", str(web_workers),
                                "--worker-connections", "2000", "-b", f"127.0.0.1:{port}", "wsgi:app"], env)
            procs.start("worker", [sys.executable, "-m", "workers"], env)
            base = f"http://127.0.0.1:{port}"
            procs.wait_http(f"{base}/readyz")
            pool = ThreadPoolExecutor(max_workers=16)
            bots = [AgentBot(base, i, args.bots, results, pool) for i in range(args.bots)]
            gate = threading.Barrier(args.chats + 1)
            threads = [threading.Thread(target=visitor, args=(base, n, args, results, gate), daemon=True)
                       for n in range(args.chats)]
            for thread in threads:
                thread.start()
            gate.wait(180)
            meter = CpuMeter(procs)
            started = time.perf_counter()
            for thread in threads:
                thread.join(300)
            elapsed = time.perf_counter() - started
            cpu = meter.read()
            for bot in bots:
                bot.sio.disconnect()
            pool.shutdown(wait=True)
        finally:
            procs.stop()
    exchanged = len(results["to_visitor"]) + len(results["to_agent"])
    print(f"\n== {backend}: {args.chats} concurrent chats x {args.rounds} rounds (think {args.think}s, ramp "
          f"{args.ramp}s), {args.bots} agent sockets, gunicorn gevent x{web_workers}, 1 RQ worker ==")
    print(f"chats completed      {len(results['done'])} of {args.chats} in {elapsed:.1f}s "
          f"({exchanged / elapsed:.1f} chat messages/s); errors: {len(results['errors'])}")
    print(f"visitor -> agent     {summary([s * 1000 for s in results['to_agent']])}")
    print(f"agent -> visitor     {summary([s * 1000 for s in results['to_visitor']])}")
    print("CPU s in the run     " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items())
          + f" (machine: {os.cpu_count()} cores)")
    if results["errors"]:
        print("first errors:", results["errors"][:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_store_arguments(parser)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bots", type=int, default=4)
    parser.add_argument("--think", type=float, default=10.0, help="mean seconds a visitor waits between lines")
    parser.add_argument("--ramp", type=float, default=20.0, help="chats start spread over this many seconds")
    parser.add_argument("--web-workers", type=int, default=0, help="default: 1 on SQLite, 2 on PostgreSQL")
    run_per_backend(parser.parse_args(), run)


if __name__ == "__main__":
    main()
