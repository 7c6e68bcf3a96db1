"""Jobs used only by tests that kill worker processes (importable by dotted path)."""

from __future__ import annotations

import time
from pathlib import Path


def stall_first_time(flag_path: str, done_path: str, seconds: float = 300) -> str:
    """First run: mark the start and stall (the test kills the worker here). A rerun completes."""
    flag = Path(flag_path)
    if not flag.exists():
        flag.write_text("started")
        time.sleep(seconds)
    Path(done_path).write_text("done")
    return "done"
