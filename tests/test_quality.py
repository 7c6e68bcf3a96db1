"""Quality reviews through the pages: rubrics, scoring against hand-computed weights, scores per
agent over time, and scoping (a client-dedicated supervisor never sees another client; agents 403)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.models import Event, QaReview, QaRubric
from tests import factories
from tests.factories import auth

API = "/api/v1/tickets"


@pytest.fixture
def world(app, client, login):
    """Clients acme and globex; agents ana and bob; supervisors lead (all clients) and dee (acme only)."""
    factories.make_region("manila")
    acme_id, acme_key = factories.make_client("acme", region_slugs=["manila"])
    globex_id, globex_key = factories.make_client("globex", region_slugs=["manila"])
    ana = factories.make_agent("ana@helpdesk.test", name="Ana Agent", region_slug="manila")
    bob = factories.make_agent("bob@helpdesk.test", name="Bob Agent", region_slug="manila")
    lead = factories.make_agent("lead@helpdesk.test", role="supervisor", name="Lena Lead")
    dee = factories.make_agent("dee@helpdesk.test", role="supervisor", name="Dee Dedicated",
                               all_clients=False, client_slugs=["acme"])
    login(lead.email)
    csrf = factories.csrf_token(client.get("/supervisor/qa/rubrics").get_data(as_text=True))
    return {"acme": (acme_id, acme_key), "globex": (globex_id, globex_key), "ana": ana.id, "bob": bob.id,
            "lead": lead.id, "dee": dee.id, "csrf": csrf}


def solved_ticket(http, world, client: str, agent: str, subject: str = "Printer on fire",
                  status: str = "solved") -> int:
    """A ticket created over the API, assigned by the supervisor, then solved (or left as ``status``)."""
    _, key = world[client]
    made = http.post(API, json={"subject": subject, "body": "It is on fire.",
                                "contact": {"email": "alice@customer.example"}}, headers=auth(key))
    assert made.status_code == 201, made.get_json()
    ticket_id = made.get_json()["id"]
    assigned = http.post(f"/agent/api/tickets/{ticket_id}/assign", json={"agent_id": world[agent]},
                         headers={"X-CSRFToken": world["csrf"]})
    assert assigned.status_code == 200, assigned.get_json()
    if status != "open":
        changed = http.patch(f"{API}/{ticket_id}", json={"status": status}, headers=auth(key))
        assert changed.status_code == 200, changed.get_json()
    return ticket_id


def save_rubric(http, csrf: str, client_id: int, rows: list[tuple], name: str = "Standard"):
    form = {"name": name, "csrf_token": csrf}
    for index, (key, label, weight, top) in enumerate(rows):
        form.update({f"key-{index}": key, f"label-{index}": label, f"weight-{index}": str(weight),
                     f"max-{index}": str(top)})
    return http.post(f"/supervisor/qa/rubrics/{client_id}", data=form)


def score(http, csrf: str, ticket_id: int, comment: str = "", **scores):
    form = {"csrf_token": csrf, "comment": comment, **{f"score-{k}": str(v) for k, v in scores.items()}}
    return http.post(f"/supervisor/qa/tickets/{ticket_id}", data=form)


def reviews() -> list[QaReview]:
    db.session.expire_all()
    return list(db.session.scalars(select(QaReview).order_by(QaReview.id)))


RUBRIC = [("tone", "Tone", 1, 5), ("accuracy", "Accuracy", 3, 10), ("process", "Process", 2, 2)]


def test_rubric_validation(client, world):
    acme_id, _ = world["acme"]
    csrf = world["csrf"]
    duplicate = save_rubric(client, csrf, acme_id, [("tone", "Tone", 1, 5), ("tone", "Again", 1, 5)])
    assert duplicate.status_code == 422 and "used twice" in duplicate.get_data(as_text=True)
    for bad_weight in (0, -2, "x"):
        bad = save_rubric(client, csrf, acme_id, [("tone", "Tone", bad_weight, 5)])
        assert bad.status_code == 422 and "Weight: a positive number" in bad.get_data(as_text=True)
    assert save_rubric(client, csrf, acme_id, [("tone", "Tone", 1, 0)]).status_code == 422
    assert save_rubric(client, csrf, acme_id, []).status_code == 422
    assert db.session.scalar(select(QaRubric)) is None

    saved = save_rubric(client, csrf, acme_id, RUBRIC)
    assert saved.status_code == 303
    rubric = db.session.scalar(select(QaRubric))
    assert rubric.client_id == acme_id and rubric.criteria == [
        {"key": "tone", "label": "Tone", "weight": 1, "max": 5},
        {"key": "accuracy", "label": "Accuracy", "weight": 3, "max": 10},
        {"key": "process", "label": "Process", "weight": 2, "max": 2}]
    # Editing replaces the client's one rubric.
    assert save_rubric(client, csrf, acme_id, RUBRIC[:2], name="Shorter").status_code == 303
    db.session.expire_all()
    (only,) = db.session.scalars(select(QaRubric)).all()
    assert only.name == "Shorter" and [c["key"] for c in only.criteria] == ["tone", "accuracy"]
    listing = client.get("/supervisor/qa/rubrics").get_data(as_text=True)
    assert "Shorter" in listing and "Accuracy (×3, 0–10)" in listing


def test_review_total_is_the_weighted_percentage(app, client, world, login):
    acme_id, _ = world["acme"]
    csrf = world["csrf"]
    assert save_rubric(client, csrf, acme_id, RUBRIC).status_code == 303
    ticket_id = solved_ticket(client, world, "acme", "ana")

    page = client.get(f"/supervisor/qa/tickets/{ticket_id}").get_data(as_text=True)
    assert "It is on fire." in page and 'name="score-accuracy"' in page  # conversation and rubric
    # 100 * (1*4/5 + 3*7/10 + 2*1/2) / (1+3+2) = 100 * 3.9 / 6 = 65
    assert score(client, csrf, ticket_id, tone=4, accuracy=7, process=1, comment="Good").status_code == 303
    (review,) = reviews()
    assert (review.total, review.scores) == (65, {"tone": 4, "accuracy": 7, "process": 1})
    assert (review.agent_id, review.reviewer_id, review.client_id) == (world["ana"], world["lead"], acme_id)
    assert "Your total: <strong>65</strong>" in client.get(f"/supervisor/qa/tickets/{ticket_id}").get_data(as_text=True)

    # Scoring again updates the same review: 100 * (1 + 3 + 0) / 6 = 66.67 -> 67
    assert score(client, csrf, ticket_id, tone=5, accuracy=10, process=0).status_code == 303
    (review,) = reviews()
    assert review.total == 67 and review.comment is None
    # Out of range, missing or fractional scores are refused and change nothing.
    for bad in ({"tone": 5, "accuracy": 11, "process": 0}, {"tone": 5, "accuracy": 10},
                {"tone": 5, "accuracy": 2.5, "process": 0}, {"tone": -1, "accuracy": 1, "process": 0}):
        refused = score(client, csrf, ticket_id, **bad)
        assert refused.status_code == 422, bad
        assert "A whole number from 0 to" in refused.get_data(as_text=True)
    assert [r.total for r in reviews()] == [67]

    # Another supervisor's review of the same ticket is a review of its own: 100 * (0 + 3*5/10 + 2) / 6 = 58.33 -> 58
    other = app.test_client()
    login("dee@helpdesk.test", test_client=other)
    dee_csrf = factories.csrf_token(other.get("/supervisor/qa").get_data(as_text=True))
    assert score(other, dee_csrf, ticket_id, tone=0, accuracy=5, process=2).status_code == 303
    assert [(r.reviewer_id, r.total) for r in reviews()] == [(world["lead"], 67), (world["dee"], 58)]
    events = db.session.scalars(select(Event).where(Event.type == "qa.reviewed")).all()
    assert [e.data["qa"]["total"] for e in events] == [65, 67, 58] and {e.ticket_id for e in events} == {ticket_id}


def test_only_solved_or_closed_tickets_can_be_reviewed(client, world):
    acme_id, _ = world["acme"]
    assert save_rubric(client, world["csrf"], acme_id, RUBRIC).status_code == 303
    open_id = solved_ticket(client, world, "acme", "ana", status="pending")
    page = client.get(f"/supervisor/qa/tickets/{open_id}").get_data(as_text=True)
    assert "Only solved or closed tickets can be reviewed" in page and 'name="score-tone"' not in page
    refused = score(client, world["csrf"], open_id, tone=1, accuracy=1, process=1)
    assert refused.status_code == 409 and reviews() == []
    listing = client.get("/supervisor/qa").get_data(as_text=True)
    assert f'data-ticket-id="{open_id}"' not in listing
    # A client without a rubric: nothing to score against.
    globex_ticket = solved_ticket(client, world, "globex", "bob")
    assert score(client, world["csrf"], globex_ticket, tone=1).status_code == 409


def test_a_dedicated_supervisor_sees_and_reviews_only_their_clients(app, client, world, login):
    acme_id, _ = world["acme"]
    globex_id, _ = world["globex"]
    assert save_rubric(client, world["csrf"], acme_id, RUBRIC).status_code == 303
    secret = [("overall", "Globex secret criterion", 1, 10)]
    assert save_rubric(client, world["csrf"], globex_id, secret).status_code == 303
    mine = solved_ticket(client, world, "acme", "ana", subject="Acme printer")
    theirs = solved_ticket(client, world, "globex", "bob", subject="Globex secret subject")
    assert score(client, world["csrf"], theirs, overall=9).status_code == 303  # lead reviews globex

    dee = app.test_client()
    login("dee@helpdesk.test", test_client=dee)
    listing = dee.get("/supervisor/qa").get_data(as_text=True)
    csrf = factories.csrf_token(listing)
    assert "Acme printer" in listing and "Globex" not in listing and "Bob Agent" not in listing
    assert dee.get(f"/supervisor/qa?client_id={globex_id}").status_code == 404
    assert dee.get(f"/supervisor/qa/tickets/{theirs}").status_code == 404
    assert score(dee, csrf, theirs, overall=1).status_code == 404
    assert dee.get(f"/supervisor/qa/rubrics/{globex_id}").status_code == 404
    assert save_rubric(dee, csrf, globex_id, [("x", "Hijack", 1, 1)]).status_code == 404
    rubrics = dee.get("/supervisor/qa/rubrics").get_data(as_text=True)
    assert "Acme" in rubrics and "Globex" not in rubrics
    assert dee.get(f"/supervisor/qa/scores?client_id={globex_id}").status_code == 404
    scores = dee.get("/supervisor/qa/scores").get_data(as_text=True)
    assert "Bob Agent" not in scores  # globex's review is not theirs to see
    db.session.expire_all()
    assert db.session.get(QaRubric, db.session.scalar(select(QaRubric.id).where(QaRubric.client_id == globex_id))
                          ).criteria[0]["label"] == "Globex secret criterion"
    assert [r.reviewer_id for r in reviews()] == [world["lead"]]
    # Their own client works.
    assert dee.get(f"/supervisor/qa/tickets/{mine}").status_code == 200
    assert score(dee, csrf, mine, tone=5, accuracy=10, process=2).status_code == 303
    assert reviews()[-1].total == 100


def test_agents_get_403_and_visitors_sign_in(app, client, world, login):
    acme_id, _ = world["acme"]
    ticket_id = solved_ticket(client, world, "acme", "ana")
    agent = app.test_client()
    login("ana@helpdesk.test", test_client=agent)
    csrf = factories.csrf_token(agent.get("/agent").get_data(as_text=True))
    for path in ("/supervisor/qa", f"/supervisor/qa/tickets/{ticket_id}", "/supervisor/qa/scores",
                 "/supervisor/qa/rubrics", f"/supervisor/qa/rubrics/{acme_id}"):
        assert agent.get(path).status_code == 403, path
    assert score(agent, csrf, ticket_id, tone=5).status_code == 403
    assert save_rubric(agent, csrf, acme_id, RUBRIC).status_code == 403
    anonymous = app.test_client()
    answer = anonymous.get("/supervisor/qa")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def _row(html: str, agent_id: int) -> dict[str, str]:
    match = re.search(rf'<tr data-agent-id="{agent_id}">(.*?)</tr>', html, re.S)
    assert match, html
    cells = dict(re.findall(r'<td data-period="([\d-]+)">(.*?)</td>', match.group(1), re.S))
    overall = re.search(r'<td class="overall">(.*?)</td>', match.group(1), re.S).group(1)
    clean = {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in cells.items()}
    clean["overall"] = re.sub(r"<[^>]+>", "", overall).strip()
    return clean


def test_scores_per_agent_by_week_and_month(client, world):
    acme_id, _ = world["acme"]
    csrf = world["csrf"]
    assert save_rubric(client, csrf, acme_id, [("overall", "Overall", 1, 100)]).status_code == 303  # total = score
    plan = [  # agent, reviewed at (UTC), score
        ("ana", datetime(2026, 11, 2, 9, tzinfo=UTC), 65),   # Mon, week of 11-02
        ("ana", datetime(2026, 11, 8, 23, tzinfo=UTC), 80),  # Sun, same week
        ("ana", datetime(2026, 11, 9, 1, tzinfo=UTC), 50),   # Mon, week of 11-09
        ("bob", datetime(2026, 11, 10, 12, tzinfo=UTC), 90),
        ("bob", datetime(2026, 10, 30, 12, tzinfo=UTC), 40),  # Fri, week of 10-26 (October)
    ]
    for agent, reviewed_at, value in plan:
        ticket_id = solved_ticket(client, world, "acme", agent)
        assert score(client, csrf, ticket_id, overall=value).status_code == 303
        db.session.execute(update(QaReview).where(QaReview.ticket_id == ticket_id).values(created_at=reviewed_at))
        db.session.commit()

    weekly = client.get("/supervisor/qa/scores?period=week&from=2026-10-01&to=2026-11-30").get_data(as_text=True)
    assert _row(weekly, world["ana"]) == {"2026-11-02": "72.5 (2)", "2026-11-09": "50.0 (1)",
                                          "2026-10-26": "—", "overall": "65.0 (3)"}
    assert _row(weekly, world["bob"]) == {"2026-10-26": "40.0 (1)", "2026-11-02": "—", "2026-11-09": "90.0 (1)",
                                          "overall": "65.0 (2)"}
    monthly = client.get("/supervisor/qa/scores?period=month&from=2026-10-01&to=2026-11-30").get_data(as_text=True)
    assert _row(monthly, world["ana"]) == {"2026-10-01": "—", "2026-11-01": "65.0 (3)", "overall": "65.0 (3)"}
    assert _row(monthly, world["bob"]) == {"2026-10-01": "40.0 (1)", "2026-11-01": "90.0 (1)",
                                           "overall": "65.0 (2)"}
    # The range is of review dates: November only leaves bob's October review out.
    november = client.get("/supervisor/qa/scores?period=month&from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert _row(november, world["bob"]) == {"2026-11-01": "90.0 (1)", "overall": "90.0 (1)"}
    # Filters of the review list: by agent.
    listing = client.get(f"/supervisor/qa?agent_id={world['bob']}").get_data(as_text=True)
    assert listing.count("data-ticket-id=") == 2


def test_rubric_labels_and_review_comments_are_escaped(client, world):
    acme_id, _ = world["acme"]
    label = "<script>alert('label')</script>"
    assert save_rubric(client, world["csrf"], acme_id, [("overall", label, 1, 10)]).status_code == 303
    ticket_id = solved_ticket(client, world, "acme", "ana", subject="<b onmouseover=alert(2)>hi</b>")
    assert score(client, world["csrf"], ticket_id, overall=5, comment="<i>ok</i>").status_code == 303
    for path in (f"/supervisor/qa/tickets/{ticket_id}", "/supervisor/qa/rubrics", "/supervisor/qa"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<b onmouseover" not in html and "<i>ok</i>" not in html, path


def test_the_demo_seed_gives_each_client_a_rubric(app, client, login):
    from helpdesk.admin import demo

    assert demo.seed(ticket_count=0)["seeded"]
    login("lead.warsaw@helpdesk.test", demo.DEMO_PASSWORD)
    page = client.get("/supervisor/qa/rubrics").get_data(as_text=True)
    assert page.count("Standard quality review") == 2 and "Tone and empathy (×2, 0–5)" in page
