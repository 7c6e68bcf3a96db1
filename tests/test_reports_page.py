"""The supervisor reports page (/supervisor/reports) and its CSV downloads over HTTP: who may see it, the
figures of seeded tickets in the chosen time zone (hand-computed), a client-dedicated supervisor's scope,
clear errors for bad queries, and CSV files equal to the tables on the page."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.supervision import reports
from helpdesk.web.supervisor.reports import format_value
from tests.factories import auth, csrf_token, make_agent, make_client, make_region

# Tickets created at these instants (UTC). In Manila (UTC+8) the local day 2026-03-03 is
# [03-02 16:00Z, 03-03 16:00Z): Acme's first two tickets, not Bolt's. In UTC, 03-03 holds Acme's
# second ticket and Bolt's. Acme's third ticket is on 03-05 whatever the zone.
SEED = [
    ("acme", "email", datetime(2026, 3, 2, 20, 0, tzinfo=UTC)),  # Manila 03-03 04:00; UTC 03-02
    ("acme", "chat", datetime(2026, 3, 3, 10, 0, tzinfo=UTC)),  # Manila 03-03 18:00; UTC 03-03
    ("bolt", "phone", datetime(2026, 3, 3, 18, 0, tzinfo=UTC)),  # Manila 03-04 02:00; UTC 03-03
    ("acme", "email", datetime(2026, 3, 5, 9, 0, tzinfo=UTC)),  # 03-05 in both
]
MANILA_DAY = "/supervisor/reports?report=volume&from=2026-03-03&to=2026-03-03&tz=Asia/Manila"


class Tables(HTMLParser):
    """The report tables of a page: {table name: {"head": [...], "rows": [[...], ...], "csv": href}}."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, dict] = {}
        self._table: dict | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "data-table" in attrs:
            self._table = self.tables[attrs["data-table"]] = {"head": [], "rows": [], "csv": None, "canvas": False}
        elif self._table is None:
            return
        elif tag == "a" and "csv-link" in (attrs.get("class") or ""):
            self._table["csv"] = attrs["href"]
        elif tag == "canvas":
            self._table["canvas"] = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if self._table is None:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._table["head"] or not self._row:
                self._table["rows"].append(self._row)
            else:
                self._table["head"] = self._row
            self._row = None
        elif tag == "article":
            self._table = None


def column(table: dict, label: str) -> dict[str, str]:
    """First cell -> the cell under ``label``, for each row."""
    index = table["head"].index(label)
    return {row[0]: row[index] for row in table["rows"]}


@pytest.fixture
def seeded(client):
    make_region("manila", tz="Asia/Manila")
    ids = {}
    for slug, name in (("acme", "Acme <script>alert(1)</script>"), ("bolt", "Bolt")):
        ids[slug] = make_client(slug, name=name, region_slugs=["manila"])
    for slug, channel, created in SEED:
        response = client.post("/api/v1/tickets", json={"subject": "Parcel lost", "channel": channel},
                               headers=auth(ids[slug][1]))
        assert response.status_code == 201, response.json
        db.session.get(Ticket, response.json["id"]).created_at = created
    db.session.commit()
    make_agent("lead@x.test", role="supervisor", timezone="Asia/Manila")
    make_agent("acme.lead@x.test", role="supervisor", all_clients=False, client_slugs=["acme"])
    make_agent("ana@x.test")
    make_agent("root@x.test", role="admin")
    return {slug: client_id for slug, (client_id, _key) in ids.items()}


def _logout(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/agent").get_data(as_text=True))})


def test_reports_are_for_supervisors_and_admins(client, login, seeded):
    signed_out = client.get("/supervisor/reports")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    assert client.get("/supervisor/reports/volume.csv").status_code == 302

    login("ana@x.test")
    assert client.get("/supervisor/reports").status_code == 403
    inbox = client.get("/agent").get_data(as_text=True)
    assert 'href="/supervisor/reports"' not in inbox and 'href="/supervisor"' not in inbox  # no links for agents
    refused = client.get("/supervisor/reports/volume.csv")
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    _logout(client)

    for email in ("lead@x.test", "root@x.test"):
        login(email)
        assert client.get(MANILA_DAY).status_code == 200
        nav = client.get("/agent").get_data(as_text=True)
        assert all(f'href="{path}"' in nav for path in ("/supervisor", "/supervisor/reports", "/supervisor/qa"))
        assert client.get("/supervisor/reports/volume.csv?from=2026-03-03&to=2026-03-03").status_code == 200
        _logout(client)


def test_volume_figures_are_bucketed_in_the_chosen_time_zone(client, login, seeded):
    login("lead@x.test")
    page = client.get(MANILA_DAY)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    tables = Tables(html).tables
    # Without group_by the volume report gives a table per grouping.
    assert {f"volume_by_{group}" for group in ("day", "hour", "channel", "client", "region")} <= set(tables)
    assert column(tables["volume_by_client"], "Tickets") == {"Acme <script>alert(1)</script>": "2"}
    assert column(tables["volume_by_channel"], "Tickets") == {"email": "1", "chat": "1"}
    assert column(tables["volume_by_day"], tables["volume_by_day"]["head"][1]) == {"2026-03-03": "2"}
    by_hour = column(tables["volume_by_hour"], "Tickets")
    assert len(by_hour) == 24 and by_hour["04:00"] == "1" and by_hour["18:00"] == "1"
    assert sum(int(n) for n in by_hour.values()) == 2
    assert all(t["canvas"] and t["csv"] for t in tables.values())  # a chart and a CSV link per table

    # The same local date in UTC holds other tickets.
    utc = Tables(client.get(MANILA_DAY.replace("Asia/Manila", "UTC")).get_data(as_text=True)).tables
    assert column(utc["volume_by_client"], "Tickets") == {"Acme <script>alert(1)</script>": "1", "Bolt": "1"}
    assert column(utc["volume_by_hour"], "Tickets")["10:00"] == "1"

    # Names are text: escaped in the table and in the JSON the chart script reads.
    assert "<script>alert(1)</script>" not in html
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)[1])
    assert [t["name"] for t in data] == list(tables)
    (by_client,) = [t for t in data if t["name"] == "volume_by_client"]
    assert by_client["rows"] == [{"client": "Acme <script>alert(1)</script>", "tickets": 2}]
    assert by_client["chart"] == {"kind": "bar", "x": "client", "series": ["tickets"]}
    assert by_client["columns"][1] == {"key": "tickets", "label": "Tickets", "kind": "int"}


def test_group_by_picks_one_table_and_the_form_keeps_the_query(client, login, seeded):
    login("lead@x.test")
    html = client.get("/supervisor/reports?report=volume&from=2026-03-01&to=2026-03-04&tz=Asia/Manila&group_by=hour"
                      ).get_data(as_text=True)
    tables = Tables(html).tables
    assert list(tables) == ["volume_by_hour"]
    # Manila hours of Acme's 03-02 20:00Z and 03-03 10:00Z and Bolt's 03-03 18:00Z (Acme's 03-05 is out).
    by_hour = column(tables["volume_by_hour"], "Tickets")
    assert {hour: n for hour, n in by_hour.items() if n != "0"} == {"04:00": "1", "18:00": "1", "02:00": "1"}
    for field, value in (("from", "2026-03-01"), ("to", "2026-03-04"), ("tz", "Asia/Manila")):
        assert re.search(rf'name="{field}"[^>]*value="{re.escape(value)}"', html), field
    assert '<option value="hour" selected>' in html
    # Every report has a tab, and the tabs keep the range and zone.
    for name in reports.REPORT_NAMES:
        assert f'data-report="{name}"' in html
    assert 'href="/supervisor/reports?report=sla&amp;from=2026-03-01&amp;to=2026-03-04&amp;tz=Asia/Manila"' in html


def test_the_form_opens_on_the_last_30_days_in_the_supervisors_time_zone(client, login, seeded):
    login("lead@x.test")
    html = client.get("/supervisor/reports").get_data(as_text=True)
    today = datetime.now(ZoneInfo("Asia/Manila")).date()
    assert re.search(r'name="tz"[^>]*value="Asia/Manila"', html)
    assert re.search(rf'name="to"[^>]*value="{today.isoformat()}"', html)
    assert re.search(rf'name="from"[^>]*value="{(today - timedelta(days=29)).isoformat()}"', html)
    assert 'class="view current" href="/supervisor/reports?report=volume' in html


def test_a_client_dedicated_supervisor_never_sees_another_clients_rows(client, login, seeded):
    login("acme.lead@x.test")
    utc = "/supervisor/reports?report=volume&from=2026-03-01&to=2026-03-31&tz=UTC"
    tables = Tables(client.get(utc).get_data(as_text=True)).tables
    assert column(tables["volume_by_client"], "Tickets") == {"Acme <script>alert(1)</script>": "3"}
    assert "phone" not in column(tables["volume_by_channel"], "Tickets")  # Bolt's only ticket
    assert column(tables["volume_by_region"], "Tickets") == {"Manila": "3"}
    assert sum(int(n) for n in column(tables["volume_by_hour"], "Tickets").values()) == 3
    download = client.get("/supervisor/reports/volume.csv?from=2026-03-01&to=2026-03-31&tz=UTC&table=volume_by_client")
    assert "Bolt" not in download.get_data(as_text=True)
    assert list(csv.reader(io.StringIO(download.get_data(as_text=True)))) == [
        ["Client", "Tickets"], ["Acme <script>alert(1)</script>", "3"]]


def test_csv_of_every_table_matches_the_table_on_the_page(client, login, seeded):
    login("lead@x.test")
    tables = Tables(client.get(MANILA_DAY).get_data(as_text=True)).tables
    for index, (name, table) in enumerate(tables.items()):
        assert f"table={name}" in table["csv"]
        for ref in (name, str(index)):
            download = client.get(re.sub(r"table=[^&]+", f"table={ref}", table["csv"].replace("&amp;", "&")))
            assert download.status_code == 200
            assert download.mimetype == "text/csv"
            assert download.headers["Content-Disposition"] == (
                f'attachment; filename="volume-{name}-2026-03-03-2026-03-03.csv"')
            lines = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
            assert lines[0] == table["head"]
            assert lines[1:] == table["rows"]
    # Without ?table= the first table.
    first = client.get("/supervisor/reports/volume.csv?from=2026-03-03&to=2026-03-03&tz=Asia/Manila&group_by=channel")
    assert first.headers["Content-Disposition"] == (
        'attachment; filename="volume-volume_by_channel-2026-03-03-2026-03-03.csv"')
    assert first.get_data(as_text=True) in ("Channel,Tickets\r\nchat,1\r\nemail,1\r\n",
                                            "Channel,Tickets\r\nemail,1\r\nchat,1\r\n")


@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-13-01&to=2026-03-03", "Bad 'from' date '2026-13-01'; use YYYY-MM-DD."),
    ("from=2026-03-04&to=2026-03-03", "'from' (2026-03-04) is after 'to' (2026-03-03)."),
    ("from=2026-03-01&to=2026-03-03&tz=Mars/Olympus", "Unknown time zone 'Mars/Olympus'"),
    ("from=2026-03-01&to=2026-03-03&group_by=agent", "group_by 'agent' is not one of"),
])
def test_a_bad_query_shows_a_clear_error_and_the_csv_answers_json_400(client, login, seeded, query, message):
    login("lead@x.test")
    page = client.get(f"/supervisor/reports?report=volume&{query}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    error = re.search(r'<p class="flash error report-error" role="alert" id="report-error">(.*?)</p>', html, re.S)
    assert error and message.replace("'", "&#39;") in error[1]
    assert 'id="report-form"' in html and not Tables(html).tables  # the form, to correct it; no tables

    download = client.get(f"/supervisor/reports/volume.csv?{query}")
    assert download.status_code == 400 and download.mimetype == "application/json"
    assert download.json["error"]["code"] == "bad_request"
    assert message in download.json["error"]["message"]


def test_unknown_reports_and_tables(client, login, seeded):
    login("lead@x.test")
    assert client.get("/supervisor/reports?report=payroll").status_code == 400
    unknown = client.get("/supervisor/reports/payroll.csv")
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "not_found"
    no_table = client.get("/supervisor/reports/volume.csv?from=2026-03-03&to=2026-03-03&table=nope")
    assert no_table.status_code == 400
    assert "volume_by_client" in no_table.json["error"]["details"]["table"]
    one = "/supervisor/reports/volume.csv?from=2026-03-03&to=2026-03-03&group_by=client&table="
    assert client.get(one + "0").status_code == 200 and client.get(one + "1").status_code == 400


def test_values_are_formatted_by_column_kind():
    assert format_value(3725, "seconds") == "1:02"
    assert format_value(90000, "seconds") == "25:00"
    assert format_value(29, "seconds") == "0:00" and format_value(31, "seconds") == "0:01"
    assert format_value(None, "seconds") == "—"
    assert format_value(97.26, "percent") == "97.3 %"
    assert format_value(1234567, "int") == "1,234,567"
    assert format_value(4.5, "score") == "4.50"
    assert format_value("2026-03-08T01:30:00-05:00", "datetime", "America/New_York") == "2026-03-08 01:30"
    assert format_value("2026-03-08T06:30:00+00:00", "datetime", "Asia/Manila") == "2026-03-08 14:30"
    assert format_value("Acme", "text") == "Acme"



def test_durations_and_percentages_are_formatted_from_the_engines_figures(client, login, seeded):
    """Acme on 2026-03-10 (UTC): tickets created 08:00, 09:00, 11:00; first answers after 30, 90 and 15 minutes
    (due after 60, 60, 60: met, breached, met); the first two solved after 2 h and 3 h (due after 1 h and 5 h:
    breached, met). Averages 45 min and 2 h 30; compliance 2/3 = 66.7 % and 1/2 = 50.0 %."""
    day = datetime(2026, 3, 10, tzinfo=UTC)
    hours = timedelta(hours=1)
    plan = [(8, 0.5, 2, 1, 1), (9, 1.5, 3, 1, 5), (11, 0.25, None, 1, None)]
    key = make_client("cyan", region_slugs=["manila"])[1]
    for created_h, answered_h, solved_h, fr_due_h, res_due_h in plan:
        response = client.post("/api/v1/tickets", json={"subject": "Refund", "channel": "email"}, headers=auth(key))
        ticket = db.session.get(Ticket, response.json["id"])
        created = day + created_h * hours
        ticket.created_at = created
        ticket.first_responded_at = created + answered_h * hours
        ticket.first_response_due_at = created + fr_due_h * hours
        if solved_h is not None:
            ticket.status, ticket.solved_at = "solved", created + solved_h * hours
            ticket.resolution_due_at = created + res_due_h * hours
        db.session.commit()
    make_agent("cyan.lead@x.test", role="supervisor", all_clients=False, client_slugs=["cyan"])
    login("cyan.lead@x.test")
    query = "from=2026-03-10&to=2026-03-10&tz=UTC"

    times = Tables(client.get(f"/supervisor/reports?report=response_times&{query}").get_data(as_text=True)).tables
    summary = dict(zip(times["response_times_summary"]["head"], times["response_times_summary"]["rows"][0],
                       strict=True))
    assert summary["First responses"] == "3" and summary["Avg first response (wall-clock)"] == "0:45"
    assert summary["Solved"] == "2" and summary["Avg resolution (wall-clock)"] == "2:30"
    # The CSV keeps the raw seconds.
    download = client.get(f"/supervisor/reports/response_times.csv?{query}&table=response_times_summary")
    raw = dict(zip(*list(csv.reader(io.StringIO(download.get_data(as_text=True)))), strict=True))
    assert raw["Avg first response (wall-clock)"] == "2700" and raw["Avg resolution (wall-clock)"] == "9000"

    sla = Tables(client.get(f"/supervisor/reports?report=sla&{query}").get_data(as_text=True)).tables
    summary = dict(zip(sla["sla_summary"]["head"], sla["sla_summary"]["rows"][0], strict=True))
    assert summary["First response met"] == "2" and summary["First response breached"] == "1"
    assert summary["First response compliance"] == "66.7 %"
    assert summary["Resolution compliance"] == "50.0 %"
