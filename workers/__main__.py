"""Worker entry: ``python -m workers [--burst] [queue ...]``; builds the app once."""

from __future__ import annotations

import argparse

from config import config_from_env
from helpdesk import create_app
from workers.queues import ALL_QUEUES, redis_connection
from workers.runner import run_worker


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m workers")
    parser.add_argument("--burst", action="store_true", help="drain the queues and exit")
    parser.add_argument("queues", nargs="*", default=list(ALL_QUEUES))
    args = parser.parse_args()
    app = create_app(config_from_env())
    run_worker(app, redis_connection(app.config["REDIS_URL"]), burst=args.burst, queue_names=args.queues)


if __name__ == "__main__":
    main()
