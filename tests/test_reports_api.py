"""GET /api/v1/reports/<name>: figures, time zones, CSV, errors and client isolation, over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.supervision import reports
from tests.factories import auth, make_client

API = "/api/v1/reports"


def create(http, key: str, **fields) -> int:
    response = http.post("/api/v1/tickets", json={"subject": "Help", **fields}, headers=auth(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def created_at(ticket_id: int, moment: datetime) -> None:
    """Move a ticket's creation to a hand-picked instant (facts follow through reports.rebuild)."""
    db.session.execute(update(Ticket).where(Ticket.id == ticket_id).values(created_at=moment))
    db.session.commit()
    refresh_facts()


def refresh_facts() -> None:
    """Hand-moved timestamps bypass the services, so the report facts are rebuilt from the tickets."""
    reports.rebuild()


def get(http, key: str, name: str, **params):
    return http.get(f"{API}/{name}", query_string=params, headers=auth(key))


def table(body: dict, name: str) -> dict:
    (found,) = [t for t in body["tables"] if t["name"] == name]
    return found


@pytest.fixture
def two_clients(client):
    return make_client("acme"), make_client("globex")


def test_volume_by_day_in_the_requested_zone(client, two_clients):
    (_, acme_key), (_, globex_key) = two_clients
    # 2026-03-01 23:30 UTC is already 2 March in Tokyo (+09:00) but still 1 March in New York (-05:00).
    moments = [datetime(2026, 3, 1, 23, 30, tzinfo=UTC), datetime(2026, 3, 2, 4, 0, tzinfo=UTC),
               datetime(2026, 3, 2, 16, 0, tzinfo=UTC)]
    for moment, channel in zip(moments, ("email", "chat", "email"), strict=True):
        created_at(create(client, acme_key, channel=channel), moment)
    # Another client's ticket on the same day never shows in acme's figures.
    created_at(create(client, globex_key, channel="phone"), datetime(2026, 3, 2, 5, 0, tzinfo=UTC))

    tokyo = get(client, acme_key, "volume", **{"from": "2026-03-01", "to": "2026-03-03", "tz": "Asia/Tokyo",
                                              "group_by": "day"})
    assert tokyo.status_code == 200, tokyo.get_json()
    rows = table(tokyo.get_json(), "volume_by_day")["rows"]
    # Tokyo: 23:30Z -> 2 Mar 08:30, 04:00Z -> 2 Mar 13:00, 16:00Z -> 3 Mar 01:00.
    assert [(r["day"], r["tickets"]) for r in rows] == [("2026-03-01", 0), ("2026-03-02", 2), ("2026-03-03", 1)]

    new_york = get(client, acme_key, "volume", **{"from": "2026-03-01", "to": "2026-03-02",
                                                 "tz": "America/New_York", "group_by": "day"})
    rows = table(new_york.get_json(), "volume_by_day")["rows"]
    # New York: 23:30Z -> 1 Mar 18:30, 04:00Z -> 1 Mar 23:00, 16:00Z -> 2 Mar 11:00.
    assert [(r["day"], r["tickets"]) for r in rows] == [("2026-03-01", 2), ("2026-03-02", 1)]

    by_channel = get(client, acme_key, "volume", **{"from": "2026-03-01", "to": "2026-03-02", "tz": "UTC",
                                                   "group_by": "channel"}).get_json()
    assert {r["channel"]: r["tickets"] for r in table(by_channel, "volume_by_channel")["rows"]} == {
        "email": 2, "chat": 1}
    by_client = get(client, acme_key, "volume", **{"from": "2026-03-01", "to": "2026-03-02",
                                                  "group_by": "client"}).get_json()
    assert [(r["client"], r["tickets"]) for r in table(by_client, "volume_by_client")["rows"]] == [("Acme", 3)]
    by_hour = get(client, acme_key, "volume", **{"from": "2026-03-01", "to": "2026-03-02", "tz": "Asia/Kolkata",
                                                "group_by": "hour"}).get_json()
    hours = {r["hour"]: r["tickets"] for r in table(by_hour, "volume_by_hour")["rows"] if r["tickets"]}
    # Kolkata is +05:30: 23:30Z -> 05:00, 04:00Z -> 09:30, 16:00Z -> 21:30 (local dates 2 and 2 March).
    assert hours == {"05:00": 1, "09:00": 1, "21:00": 1}


def test_client_key_never_sees_another_clients_figures(client, two_clients):
    (_, acme_key), (_, globex_key) = two_clients
    for _ in range(3):
        created_at(create(client, globex_key, channel="phone"), datetime(2026, 3, 2, 5, 0, tzinfo=UTC))
    created_at(create(client, acme_key, channel="email"), datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    params = {"from": "2026-03-01", "to": "2026-03-03"}
    body = get(client, acme_key, "volume", **params).get_json()
    for t in body["tables"]:
        total = sum(r.get("tickets", 0) for r in t["rows"])
        assert total == 1, t
        assert "Globex" not in str(t["rows"])
    body = get(client, globex_key, "volume", group_by="client", **params).get_json()
    assert table(body, "volume_by_client")["rows"] == [{"client": "Globex", "tickets": 3}]


def test_csv_export_of_one_table(client, two_clients):
    (_, acme_key), _ = two_clients
    created_at(create(client, acme_key, channel="chat"), datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    response = get(client, acme_key, "volume", **{"from": "2026-03-02", "to": "2026-03-02", "group_by": "channel",
                                                 "format": "csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="volume_by_channel.csv"' in response.headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [["Channel", "Tickets"], ["chat", "1"]]
    # Accept: text/csv works too; several tables need a choice.
    headers = {**auth(acme_key), "Accept": "text/csv"}
    response = client.get(f"{API}/volume?from=2026-03-02&to=2026-03-02&table=volume_by_day", headers=headers)
    assert response.get_data(as_text=True).splitlines()[1] == "2026-03-02,1,0"
    response = client.get(f"{API}/volume?from=2026-03-02&to=2026-03-02", headers=headers)
    assert response.status_code == 400 and response.get_json()["error"]["details"]["tables"]


@pytest.mark.parametrize(("name", "params", "status", "needle"), [
    ("nope", {}, 404, "No report named"),
    ("volume", {"tz": "Mars/Olympus"}, 400, "Unknown time zone"),
    ("volume", {"from": "2026-13-01"}, 400, "Bad 'from' date"),
    ("volume", {"from": "2026-03-05", "to": "2026-03-01"}, 400, "after"),
    ("volume", {"group_by": "colour"}, 400, "group_by"),
])
def test_clear_json_errors(client, two_clients, name, params, status, needle):
    (_, acme_key), _ = two_clients
    response = get(client, acme_key, name, **params)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert needle in error["message"]


def test_reports_need_a_key(client):
    assert client.get(f"{API}/volume").status_code == 401
