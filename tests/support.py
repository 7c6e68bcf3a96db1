"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask

from helpdesk.extensions import db


@contextmanager
def other_app(app_factory: Callable[..., Flask], **overrides) -> Iterator[Flask]:
    """A second app on the same test database with changed config, its context pushed."""
    application = app_factory(**overrides)
    with application.app_context():
        try:
            yield application
        finally:
            db.session.remove()
            db.engine.dispose()


def wait_for(predicate: Callable[[], object], timeout: float = 5.0, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
