"""The OpenAPI document is true to what /api/v1 returns: schemathesis, every check, against the
real gevent server (its command line, as a user would run it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.extensions import db
from tests.factories import auth, make_client, make_region

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")  # the exceptions, each with its reason


@pytest.fixture
def system_env() -> dict:
    # Thousands of generated requests from one key: the limiter's 429 is tested elsewhere.
    return {"API_RATE_LIMIT": "100000/minute"}


def test_schemathesis_with_all_checks_passes_against_the_api(app, system, tmp_path):
    if not SCHEMATHESIS.exists() and not shutil.which("schemathesis"):
        pytest.fail("schemathesis is in requirements.txt: run make install")
    make_region("manila")
    _, key = make_client("acme")
    db.session.remove()
    import requests

    for n in range(3):  # something to read, update and page through
        assert requests.post(f"{system}/api/v1/tickets", headers=auth(key), timeout=10,
                             json={"subject": f"Seed {n}", "body": "x"}).status_code == 201
    completed = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{system}/api/v1/openapi.json", "--checks", "all",
         "--header", f"Authorization: Bearer {key}", "--max-examples", "25", "--seed", "1",
         "--generation-deterministic", "--request-timeout", "20"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    report = Path(tmp_path / "schemathesis.txt")
    report.write_text(completed.stdout + completed.stderr)
    findings = [line.strip() for line in completed.stdout.splitlines()
                if line.startswith("_") or line.strip().startswith(("- ST", "[", "Expected"))]
    assert completed.returncode == 0, f"full report: {report}\n" + "\n".join(findings)[-6000:]
