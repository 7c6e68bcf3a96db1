"""A small per-process cache with expiry, for data read on every request that
changes rarely (API keys, region calendars). Each app owns its caches."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app


class TtlCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get_or_load(self, key: Hashable, load: Callable[[], Any]) -> Any:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        if value is not None:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (now + self.ttl, value)
        return value

    def clear(self) -> None:
        self._entries.clear()


def app_cache(name: str, ttl_seconds: float) -> TtlCache:
    caches = current_app.extensions.setdefault("helpdesk_caches", {})
    if name not in caches:
        caches[name] = TtlCache(ttl_seconds)
    return caches[name]
