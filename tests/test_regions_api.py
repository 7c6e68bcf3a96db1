"""/api/v1/regions: the regions serving the calling client, their local time and shift state."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk.api import regions as regions_api
from helpdesk.extensions import db
from tests.factories import auth, make_client, make_region

EVERY_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
MORNINGS = {day: [["08:00", "12:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def _regions(client, key) -> dict[str, dict]:
    response = client.get("/api/v1/regions", headers=auth(key))
    assert response.status_code == 200, response.json
    return {r["slug"]: r for r in response.json["data"]}


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_lists_regions_with_local_time_and_shift_state(client):
    make_region("manila", tz="Asia/Manila", order=1)  # around the clock
    make_region("bogota", tz="America/Bogota", hours=EVERY_DAY, around_the_clock=False, order=2)
    make_region("closed", tz="Europe/Warsaw", hours={}, around_the_clock=False, order=3)
    _, key = make_client("acme")
    before = datetime.now(UTC).replace(microsecond=0)

    response = client.get("/api/v1/regions", headers=auth(key))
    assert response.status_code == 200, response.json
    rows = response.json["data"]
    assert [r["slug"] for r in rows] == ["manila", "bogota", "closed"]  # follow-the-sun order
    manila, bogota, closed = rows
    assert set(manila) == {"id", "slug", "name", "timezone", "local_time", "on_shift", "next_change"}
    assert manila["name"] == "Manila" and manila["timezone"] == "Asia/Manila"

    assert manila["local_time"].endswith("+08:00")
    assert bogota["local_time"].endswith("-05:00")
    for row in rows:
        local = _parse(row["local_time"])
        assert abs((local - before).total_seconds()) < 60

    assert manila["on_shift"] is True and manila["next_change"] is None   # around the clock
    assert bogota["on_shift"] is True and bogota["next_change"] is None   # open every hour of every day
    assert closed["on_shift"] is False and closed["next_change"] is None  # never opens


def test_next_change_and_offsets_at_a_fixed_moment(client, monkeypatch):
    make_region("new-york", tz="America/New_York", hours=MORNINGS, around_the_clock=False, order=1)
    _, key = make_client("acme")

    # Wednesday 2025-01-15 14:30 UTC = 09:30 in New York (EST, -05:00): on shift until 12:00 local.
    monkeypatch.setattr(regions_api, "utcnow", lambda: datetime(2025, 1, 15, 14, 30, tzinfo=UTC))
    row = _regions(client, key)["new-york"]
    assert row["local_time"] == "2025-01-15T09:30:00-05:00"
    assert row["on_shift"] is True
    assert _parse(row["next_change"]) == datetime(2025, 1, 15, 17, 0, tzinfo=UTC)
    assert row["next_change"].endswith("+00:00")

    # Friday 2025-07-18 17:00 UTC = 13:00 EDT (-04:00): off shift until Monday 08:00 local.
    monkeypatch.setattr(regions_api, "utcnow", lambda: datetime(2025, 7, 18, 17, 0, tzinfo=UTC))
    row = _regions(client, key)["new-york"]
    assert row["local_time"] == "2025-07-18T13:00:00-04:00"
    assert row["on_shift"] is False
    assert _parse(row["next_change"]) == datetime(2025, 7, 21, 12, 0, tzinfo=UTC)


def test_only_regions_the_contract_allows(client):
    make_region("manila", tz="Asia/Manila", order=1)
    make_region("bogota", tz="America/Bogota", order=2)
    retired = make_region("lisbon", tz="Europe/Lisbon", order=3)
    retired.active = False
    db.session.commit()
    _, restricted_key = make_client("acme", region_slugs=["bogota"])
    _, open_key = make_client("globex")

    assert list(_regions(client, restricted_key)) == ["bogota"]
    assert list(_regions(client, open_key)) == ["manila", "bogota"]  # all active regions


def test_requires_an_api_key(client):
    make_region("manila")
    response = client.get("/api/v1/regions")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/regions", headers=auth("hd_not_a_real_key")).status_code == 401


def test_documented_in_the_openapi_spec(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/regions"]["get"]
    assert "200" in operation["responses"]
    assert {"RegionOut", "RegionList"} <= set(spec["components"]["schemas"])
    props = spec["components"]["schemas"]["RegionOut"]["properties"]
    assert {"id", "slug", "name", "timezone", "local_time", "on_shift", "next_change"} <= set(props)


@pytest.mark.parametrize("tz, offset", [("Asia/Manila", "+08:00"), ("Asia/Kolkata", "+05:30"), ("UTC", "+00:00")])
def test_local_time_offset(client, tz, offset):
    make_region("here", tz=tz)
    _, key = make_client("acme")
    assert _regions(client, key)["here"]["local_time"].endswith(offset)
