"""Report figures against hand-computed fixtures, driven through the real services at chosen instants.

Acme's business calendar: America/New_York, Monday-Friday 09:00-17:00, US federal holidays, and an
ad-hoc closure on Monday 2026-03-09. Clocks in New York spring forward on Sunday 2026-03-08
(EST, UTC-5 -> EDT, UTC-4). Washington's Birthday (a US federal holiday) is Monday 2026-02-16.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import CalendarClosure, Client, CsatResponse, QaReview, QaRubric, SlaPolicy, Ticket, TicketFact
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import assignment, presence
from helpdesk.supervision import reports
from helpdesk.supervision.reports import ReportQuery, parse_query, rollups, run_report, to_csv
from helpdesk.supervision.reports import clock as report_clock
from helpdesk.tickets import service as tickets
from tests.factories import auth, make_agent, make_client

WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
SUPERVISOR = Actor("agent", None)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Clock:
    """Makes the services believe it is a chosen instant."""

    def __init__(self, monkeypatch) -> None:
        self.monkeypatch = monkeypatch

    def at(self, moment: datetime) -> None:
        for module in (tickets, assignment, presence):
            self.monkeypatch.setattr(module, "utcnow", lambda moment=moment: moment)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def acme(client):
    client_id, key = make_client("acme", timezone="America/New_York")
    company = db.session.get(Client, client_id)
    company.calendar.weekly_hours = WEEKDAYS_9_TO_5
    company.calendar.holiday_country = "US"
    db.session.add(CalendarClosure(calendar_id=company.calendar.id, day=date(2026, 3, 9), reason="Company day"))
    db.session.add(SlaPolicy(client_id=client_id, priority="normal", first_response_minutes=60,
                             resolution_minutes=8 * 60, business_hours=True, warning_percent=75))
    db.session.commit()
    return client_id, key


@pytest.fixture
def globex(client):
    return make_client("globex", timezone="Europe/Paris")


def open_ticket(http, clock: Clock, key: str, at: datetime, channel: str = "email", **fields) -> int:
    clock.at(at)
    response = http.post("/api/v1/tickets", json={"subject": "Parcel lost", "channel": channel, **fields},
                         headers=auth(key))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def reply(clock: Clock, client_id: int, ticket_id: int, agent_id: int, at: datetime) -> None:
    clock.at(at)
    tickets.add_agent_message(TenantScope.for_client(client_id), ticket_id, agent_id, {"body": "On it."})


def solve(http, clock: Clock, key: str, ticket_id: int, at: datetime) -> None:
    clock.at(at)
    response = http.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "solved"}, headers=auth(key))
    assert response.status_code == 200, response.get_json()


def fact(ticket_id: int) -> TicketFact:
    db.session.expire_all()
    return db.session.get(TicketFact, ticket_id)


@pytest.fixture
def scenario(client, clock, acme, globex):
    """Three Acme tickets and one Globex ticket, answered and solved at hand-picked instants."""
    acme_id, acme_key = acme
    globex_id, globex_key = globex
    ana = make_agent("ana@x.test", name="Ana")
    ids = {}
    # A: Friday 2026-03-06 16:00 EST (21:00Z), before the spring-forward.
    ids["a"] = open_ticket(client, clock, acme_key, utc(2026, 3, 6, 21, 0))
    clock.at(utc(2026, 3, 6, 21, 5))
    assignment.reassign(ids["a"], ana.id, SUPERVISOR)
    # First response Tuesday 2026-03-10 09:30 EDT (13:30Z), after the switch; Monday is closed.
    reply(clock, acme_id, ids["a"], ana.id, utc(2026, 3, 10, 13, 30))
    # Solved Tuesday 15:00 EDT (19:00Z).
    solve(client, clock, acme_key, ids["a"], utc(2026, 3, 10, 19, 0))
    # B: Friday 2026-02-13 16:30 EST (21:30Z), across Washington's Birthday (Monday 02-16).
    ids["b"] = open_ticket(client, clock, acme_key, utc(2026, 2, 13, 21, 30), channel="chat")
    reply(clock, acme_id, ids["b"], ana.id, utc(2026, 2, 17, 14, 15))  # Tuesday 09:15 EST
    solve(client, clock, acme_key, ids["b"], utc(2026, 2, 17, 15, 0))  # Tuesday 10:00 EST
    # C: Tuesday 2026-03-10 10:00 EDT (14:00Z), still open.
    ids["c"] = open_ticket(client, clock, acme_key, utc(2026, 3, 10, 14, 0), channel="phone")
    # Globex (another client): one ticket the same Tuesday, answered at once.
    ids["g"] = open_ticket(client, clock, globex_key, utc(2026, 3, 10, 14, 0), channel="phone")
    reply(clock, globex_id, ids["g"], ana.id, utc(2026, 3, 10, 14, 1))
    return {"ids": ids, "acme": acme_id, "globex": globex_id, "ana": ana.id, "acme_key": acme_key,
            "globex_key": globex_key}


# Ticket A, business seconds to first response (Acme calendar, New York):
#   Fri 03-06 16:00-17:00 EST                          3600
#   Sat, Sun closed; Mon 03-09 closed (closure)           0
#   Tue 03-10 09:00-09:30 EDT (13:00Z-13:30Z)          1800   (with EST it would open at 14:00Z: 0)
#   -> 5400.   Wall clock: 03-06 21:00Z -> 03-10 13:30Z = 3 d 16 h 30 min = 318600
# Ticket A, business seconds to resolution: 3600 + Tue 09:00-15:00 EDT 21600 = 25200.
#   Wall clock: 03-06 21:00Z -> 03-10 19:00Z = 3 d 22 h = 338400
# SLA (60 business minutes to first response, 8 business hours to resolution), counted from creation:
#   first response due Fri 17:00 EST (22:00Z): answered Tuesday -> breached;
#   resolution due after 1 h Friday + 7 h Tuesday = Tue 16:00 EDT (20:00Z): solved 19:00Z -> met.
# Ticket B: Fri 02-13 16:30-17:00 EST 1800; Sat, Sun closed; Mon 02-16 holiday; Tue 09:00-09:15 900
#   -> first response 2700 business s; wall 02-13 21:30Z -> 02-17 14:15Z = 3 d 16 h 45 min = 319500.
#   Resolution 1800 + Tue 09:00-10:00 3600 = 5400; wall 3 d 17 h 30 min = 322200.
#   First response due: 30 min Friday + 30 min Tuesday = Tue 09:30 EST (14:30Z) -> met (14:15Z);
#   resolution due 0.5 h Friday + 7.5 h Tuesday = Tue 16:30 EST -> met.
def test_facts_count_business_hours_across_dst_and_holidays(scenario):
    a, b = fact(scenario["ids"]["a"]), fact(scenario["ids"]["b"])
    assert (a.fr_business_s, a.fr_wall_s, a.res_business_s, a.res_wall_s) == (5400, 318600, 25200, 338400)
    assert (a.fr_met, a.res_met) == (False, True)
    assert (b.fr_business_s, b.fr_wall_s, b.res_business_s, b.res_wall_s) == (2700, 319500, 5400, 322200)
    assert (b.fr_met, b.res_met) == (True, True)
    # Ana held A from 21:05Z Friday to its solve at 19:00Z Tuesday: 3 d 21 h 55 min.
    assert a.handle_s == 3 * 86400 + 21 * 3600 + 55 * 60
    c = fact(scenario["ids"]["c"])
    assert c.first_response_at is None and c.done_at is None and c.fr_business_s is None


def test_response_times_and_sla_reports(client, scenario):
    key = scenario["acme_key"]
    body = client.get("/api/v1/reports/response_times?from=2026-02-01&to=2026-03-31&tz=America/New_York",
                      headers=auth(key)).get_json()
    (summary,) = [t for t in body["tables"] if t["name"] == "response_times_summary"]
    # Two first responses (A 5400 / 318600, B 2700 / 319500) and two solves (A 25200 / 338400, B 5400 / 322200).
    assert summary["rows"] == [{
        "first_responses": 2, "avg_first_response_business": 4050, "avg_first_response_wall": 319050,
        "solved": 2, "avg_resolution_business": 15300, "avg_resolution_wall": 330300}]
    (by_channel,) = [t for t in body["tables"] if t["name"] == "response_times_by_channel"]
    assert {r["channel"]: r["avg_first_response_business"] for r in by_channel["rows"]} == {
        "email": 5400, "chat": 2700, "phone": None}
    # Only March: ticket A alone.
    march = client.get("/api/v1/reports/response_times?from=2026-03-01&to=2026-03-31&tz=America/New_York"
                       "&group_by=client", headers=auth(key)).get_json()
    assert march["tables"][0]["rows"] == [{
        "client": "Acme", "first_responses": 1, "avg_first_response_business": 5400,
        "avg_first_response_wall": 318600, "solved": 1, "avg_resolution_business": 25200,
        "avg_resolution_wall": 338400}]
    sla = client.get("/api/v1/reports/sla?from=2026-02-01&to=2026-03-31&tz=America/New_York&group_by=priority",
                     headers=auth(key)).get_json()
    # First response: B met, A breached -> 50 %; resolution: both met -> 100 %.
    assert sla["tables"][0]["rows"] == [{
        "priority": "normal", "first_response_met": 1, "first_response_breached": 1, "first_response_pct": 50.0,
        "resolution_met": 2, "resolution_breached": 0, "resolution_pct": 100.0}]
    # By day in New York: A answered 03-10, B answered 02-17.
    days = client.get("/api/v1/reports/response_times?from=2026-03-09&to=2026-03-10&tz=America/New_York"
                      "&group_by=day", headers=auth(key)).get_json()["tables"][0]["rows"]
    assert [(r["day"], r["first_responses"], r["avg_first_response_business"]) for r in days] == [
        ("2026-03-09", 0, None), ("2026-03-10", 1, 5400)]


def test_backlog_and_volume_per_new_york_day(client, scenario):
    key = scenario["acme_key"]
    body = client.get("/api/v1/reports/backlog?from=2026-03-05&to=2026-03-11&tz=America/New_York",
                      headers=auth(key)).get_json()
    rows = body["tables"][0]["rows"]
    # B was created and solved in February (not open). A opened 03-06, solved 03-10; C opened 03-10.
    assert [(r["day"], r["created"], r["solved"], r["open"]) for r in rows] == [
        ("2026-03-05", 0, 0, 0), ("2026-03-06", 1, 0, 1), ("2026-03-07", 0, 0, 1), ("2026-03-08", 0, 0, 1),
        ("2026-03-09", 0, 0, 1), ("2026-03-10", 1, 1, 1), ("2026-03-11", 0, 0, 1)]
    # In Tokyo (+09:00) ticket A (03-06 21:00Z) was created on 03-07 and C (03-10 14:00Z) on 03-10 23:00.
    tokyo = client.get("/api/v1/reports/volume?from=2026-03-06&to=2026-03-11&tz=Asia/Tokyo&group_by=day",
                       headers=auth(key)).get_json()["tables"][0]["rows"]
    assert {r["day"]: r["tickets"] for r in tokyo if r["tickets"]} == {"2026-03-07": 1, "2026-03-10": 1}
    # Kathmandu is +05:45: C at 14:00Z is 19:45 local, A at 21:00Z is 02:45 on 03-07.
    nepal = client.get("/api/v1/reports/volume?from=2026-03-06&to=2026-03-11&tz=Asia/Kathmandu&group_by=hour",
                       headers=auth(key)).get_json()["tables"][0]["rows"]
    assert {r["hour"]: r["tickets"] for r in nepal if r["tickets"]} == {"02:00": 1, "19:00": 1}


def test_agents_report_counts_handled_tickets_and_presence(client, clock, scenario):
    ana = scenario["ana"]
    clock.at(utc(2026, 3, 10, 12, 0))
    presence.set_state(ana, "online")
    clock.at(utc(2026, 3, 10, 16, 30))
    presence.set_state(ana, "away")
    clock.at(utc(2026, 3, 10, 17, 0))
    presence.set_state(ana, "offline")
    body = client.get("/api/v1/reports/agents?from=2026-03-10&to=2026-03-10&tz=UTC",
                      headers=auth(scenario["acme_key"])).get_json()
    (row,) = body["tables"][0]["rows"]
    # Acme's figures: Ana solved A on 03-10 (held 3 d 21 h 55 min); Globex's reply is not Acme's.
    assert row["agent"] == "Ana" and row["handled"] == 1 and row["avg_handle_time"] == 93 * 3600 + 55 * 60
    assert row["first_responses"] == 1
    # Online 12:00-16:30, away 16:30-17:00, offline 17:00 to the end of the UTC day.
    assert (row["online"], row["away"], row["offline"]) == (16200, 1800, 7 * 3600)


def test_csat_and_qa_reports(client, scenario):
    ids, acme, ana = scenario["ids"], scenario["acme"], scenario["ana"]
    for ticket, rating, at in ((ids["a"], 5, utc(2026, 3, 10, 20, 0)), (ids["b"], 2, utc(2026, 2, 18, 9, 0))):
        db.session.add(CsatResponse(client_id=acme, ticket_id=ticket, agent_id=ana, token_hash=f"h{ticket}",
                                    rating=rating, answered_at=at))
    db.session.add(CsatResponse(client_id=scenario["globex"], ticket_id=ids["g"], agent_id=ana,
                                token_hash="hg", rating=1, answered_at=utc(2026, 3, 10, 20, 0)))
    rubric = QaRubric(client_id=acme, name="Default", criteria=[])
    db.session.add(rubric)
    db.session.flush()
    for ticket, total, at in ((ids["a"], 80, utc(2026, 3, 11, 10, 0)), (ids["b"], 90, utc(2026, 3, 12, 10, 0))):
        db.session.add(QaReview(client_id=acme, ticket_id=ticket, rubric_id=rubric.id, agent_id=ana, total=total,
                                scores={}, created_at=at, updated_at=at))
    db.session.commit()
    key = scenario["acme_key"]
    csat = client.get("/api/v1/reports/csat?from=2026-02-01&to=2026-03-31", headers=auth(key)).get_json()
    tables = {t["name"]: t for t in csat["tables"]}
    # Acme: ratings 5 and 2 -> average 3.5, one of two satisfied; Globex's 1 is not Acme's.
    assert tables["csat_summary"]["rows"] == [{"responses": 2, "average": 3.5, "satisfied_pct": 50.0}]
    assert tables["csat_by_agent"]["rows"] == [{"agent": "Ana", "responses": 2, "average": 3.5,
                                                "satisfied_pct": 50.0}]
    # In New York the range's edges are partial UTC days: summed from the answers themselves.
    ny = client.get("/api/v1/reports/csat?from=2026-02-01&to=2026-03-31&tz=America/New_York&group_by=region",
                    headers=auth(key)).get_json()
    assert ny["tables"][0]["rows"] == [{"region": "(none)", "responses": 2, "average": 3.5, "satisfied_pct": 50.0}]
    # A changed answer moves the figures (the old answer is taken out), and a rebuild agrees.
    answer = db.session.scalar(select(CsatResponse).where(CsatResponse.ticket_id == ids["a"]))
    answer.rating = 3
    db.session.commit()
    for rebuild in (False, True):
        if rebuild:
            reports.rebuild()
        csat = client.get("/api/v1/reports/csat?from=2026-02-01&to=2026-03-31&group_by=client",
                          headers=auth(key)).get_json()
        assert csat["tables"][0]["rows"] == [{"client": "Acme", "responses": 2, "average": 2.5,
                                              "satisfied_pct": 0.0}]
    qa = client.get("/api/v1/reports/qa?from=2026-03-01&to=2026-03-31&tz=UTC", headers=auth(key)).get_json()
    tables = {t["name"]: t for t in qa["tables"]}
    assert tables["qa_by_agent"]["rows"] == [{"agent": "Ana", "reviews": 2, "average": 85.0}]
    assert [(r["period"], r["average"]) for r in tables["qa_over_time"]["rows"]] == [
        ("2026-03-11", 80.0), ("2026-03-12", 90.0)]


def test_routing_changes_wait_for_the_next_fact_write(client, clock, acme):
    """Assigning a waiting ticket writes no fact (it stays out of the routing transaction); the
    first reply writes the fact with the assignee, and the agents report credits them."""
    acme_id, acme_key = acme
    ana = make_agent("ana@x.test", name="Ana")
    ticket_id = open_ticket(client, clock, acme_key, utc(2026, 3, 10, 14, 0))
    version = fact(ticket_id).version
    clock.at(utc(2026, 3, 10, 14, 5))
    assignment.reassign(ticket_id, ana.id, SUPERVISOR)
    assert (fact(ticket_id).version, fact(ticket_id).assignee_id) == (version, None)
    reply(clock, acme_id, ticket_id, ana.id, utc(2026, 3, 10, 14, 20))
    assert fact(ticket_id).assignee_id == ana.id and fact(ticket_id).version == version + 1
    body = client.get("/api/v1/reports/agents?from=2026-03-10&to=2026-03-10&tz=UTC", headers=auth(acme_key)).get_json()
    (row,) = body["tables"][0]["rows"]
    assert (row["agent"], row["first_responses"]) == ("Ana", 1)
    assert reports.facts_match()


def test_incremental_rollups_equal_a_rebuild_from_tickets(app, scenario):
    query = ReportQuery(utc(2026, 2, 1), utc(2026, 4, 1), "America/New_York")
    scope = TenantScope(None, all_clients=True)
    before = {name: run_report(name, scope, query) for name in ("volume", "response_times", "sla", "backlog")}
    assert reports.facts_match()
    assert reports.rebuild() == 4
    assert reports.facts_match()
    after = {name: run_report(name, scope, query) for name in ("volume", "response_times", "sla", "backlog")}
    assert before == after


def test_business_clock_agrees_with_the_calendar_functions(app, acme):
    calendars = report_clock.load_calendars(db.session.connection(), [acme[0]])
    calendar = calendars[acme[0]]
    clock = report_clock.BusinessClock(calendar, utc(2026, 1, 1), utc(2026, 12, 31))
    instants = [utc(2026, 2, 13, 21, 30), utc(2026, 2, 17, 14, 15), utc(2026, 3, 6, 21, 0),
                utc(2026, 3, 8, 7, 0), utc(2026, 3, 10, 13, 30), utc(2026, 3, 10, 19, 0), utc(2026, 7, 3, 15, 0),
                utc(2026, 11, 1, 5, 30), utc(2026, 11, 3, 22, 0)]
    for i, start in enumerate(instants):
        for end in instants[i:]:
            assert clock.between(start, end) == report_clock.business_seconds(calendar, start, end)


def test_dedicated_supervisor_scope_never_includes_another_client(app, scenario):
    lead = make_agent("acme.lead@x.test", role="supervisor", all_clients=False, client_slugs=["acme"])
    scope = TenantScope.for_agent(lead)
    query = parse_query({"from": "2026-02-01", "to": "2026-03-31", "tz": "UTC"})
    volume = {t.name: t for t in run_report("volume", scope, query)}
    assert volume["volume_by_client"].rows == [{"client": "Acme", "tickets": 3}]
    assert sum(r["tickets"] for r in volume["volume_by_day"].rows) == 3
    assert {r["channel"] for r in volume["volume_by_channel"].rows} == {"email", "chat", "phone"}
    sla = {t.name: t for t in run_report("sla", scope, query)}
    assert [r["client"] for r in sla["sla_by_client"].rows] == ["Acme"]
    # Globex's phone ticket was answered in a minute: with it, phone would show a first response.
    times = {t.name: t for t in run_report("response_times", scope, query)}
    assert times["response_times_summary"].rows[0]["first_responses"] == 2
    everyone = {t.name: t for t in run_report("response_times", TenantScope(None, all_clients=True), query)}
    assert everyone["response_times_summary"].rows[0]["first_responses"] == 3


def test_csv_of_a_report_table(scenario):
    query = parse_query({"from": "2026-03-01", "to": "2026-03-31", "tz": "America/New_York",
                         "group_by": "client"})
    (table,) = run_report("sla", TenantScope.for_client(scenario["acme"]), query)
    assert to_csv(table).splitlines() == [
        "Client,First response met,First response breached,First response compliance,Resolution met,"
        "Resolution breached,Resolution compliance",
        "Acme,0,1,0.0,1,0,100.0"]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    table = reports.ReportTable("t", "T", [reports.Column("client", "Client", "text"),
                                           reports.Column("n", "N", "int")],
                                [{"client": "=HYPERLINK(\"http://x\")", "n": -3}, {"client": "Acme", "n": None}])
    assert to_csv(table).splitlines() == ["Client,N", '"\'=HYPERLINK(""http://x"")",-3', "Acme,"]


def test_parse_query_uses_local_days_of_the_zone():
    query = parse_query({"from": "2026-03-08", "to": "2026-03-08", "tz": "America/New_York"})
    # The spring-forward day lasts 23 hours: 05:00Z to 04:00Z the next day.
    assert (query.start, query.end) == (utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0))
    with pytest.raises(ValueError, match="Unknown time zone"):
        parse_query({"tz": "Nowhere/Special"})
    with pytest.raises(LookupError):
        run_report("nope", TenantScope.for_client(1), query)
    assert set(reports.GROUP_BY) == set(reports.REPORT_NAMES)
    assert select(TicketFact) is not None


@pytest.mark.parametrize("kind", ["T", "A"])
def test_edge_sums_in_sql_equal_the_event_definition(app, scenario, kind):
    windows = [(utc(2026, 3, 6, 5, 0), utc(2026, 3, 7, 0, 0)), (utc(2026, 3, 10, 13, 30), utc(2026, 3, 10, 19, 0)),
               (utc(2026, 3, 10, 19, 0), utc(2026, 3, 11, 4, 0)), (utc(2026, 2, 13, 0, 0), utc(2026, 2, 18, 0, 0))]
    for scope in (TenantScope(None, all_clients=True), TenantScope.for_client(scenario["acme"])):
        for start, end in windows:
            fast = {k: v for k, v in rollups.window_sums(scope, start, end, kind).items() if any(v)}
            slow = {k: v for k, v in rollups.window_sums_reference(scope, start, end, kind).items() if any(v)}
            assert fast == slow and fast, (start, end)


def test_rebuild_command_recomputes_facts_from_tickets(app, scenario):
    db.session.execute(TicketFact.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rebuilt report facts of 4 tickets" in result.output
    assert fact(scenario["ids"]["a"]).fr_business_s == 5400
    assert reports.facts_match()


def test_facts_of_many_tickets_changed_in_one_flush_are_all_written(client, clock, acme):
    """Facts are written once per flush for every ticket it changed (the SLA sweep changes
    hundreds at once); a rollback forgets what the flush had not written yet."""
    _, acme_key = acme
    ids = [open_ticket(client, clock, acme_key, utc(2026, 3, 10, 14, n)) for n in range(5)]
    versions = {i: fact(i).version for i in ids}
    for ticket in db.session.scalars(select(Ticket).where(Ticket.id.in_(ids))):
        ticket.priority = "urgent"
    db.session.commit()
    db.session.expire_all()
    assert {i: (fact(i).priority, fact(i).version) for i in ids} == {i: ("urgent", versions[i] + 1) for i in ids}

    ticket = db.session.get(Ticket, ids[0])
    ticket.priority = "low"
    db.session.rollback()
    db.session.expire_all()
    assert fact(ids[0]).priority == "urgent"
    assert reports.facts_match()
