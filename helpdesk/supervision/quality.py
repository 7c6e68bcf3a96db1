"""Quality reviews: a supervisor scores a solved ticket against its client's rubric.

A rubric (one per client) is a list of criteria ``{key, label, weight, max}``.
A review gives each criterion an integer score in ``0..max``; its total is the
weighted percentage

    total = round(100 * sum(weight_i * score_i / max_i) / sum(weight_i))

so a criterion counts by its weight whatever its scale (a 0..2 criterion of
weight 3 at 1/2 adds as much as a 0..10 one of weight 3 at 5/10); 0..100,
rounded half to even (Python's ``round``). The review names the ticket's
assignee as the agent reviewed and the supervisor as reviewer; a reviewer has
one review per ticket (scoring again updates it). Only solved or closed
tickets of clients in the reviewer's scope can be reviewed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from helpdesk.client.models import Client
from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import events, outbox
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.staff.models import Agent
from helpdesk.supervision.csat import ticket_ref
from helpdesk.supervision.models import CsatResponse, QaReview, QaRubric
from helpdesk.tickets.models import Message, Ticket

REVIEWABLE = ("solved", "closed")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_CRITERIA = 30
MAX_SCALE = 100
MAX_WEIGHT = 1000
NAME_MAX = 200
COMMENT_MAX = 4000
PERIODS = ("week", "month")


# --- rubrics ---------------------------------------------------------------------

def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def validate_criteria(raw: Any) -> list[dict[str, Any]]:
    """Clean a criteria list; ValidationFailed names every problem by criterion position."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("A rubric needs at least one criterion.", {"criteria": ["Add a criterion."]})
    if len(raw) > MAX_CRITERIA:
        raise ValidationFailed(f"At most {MAX_CRITERIA} criteria.", {"criteria": [f"At most {MAX_CRITERIA}."]})
    errors: dict[str, list[str]] = {}
    cleaned, seen = [], set()
    for index, item in enumerate(raw):
        problems: list[str] = []
        item = item if isinstance(item, dict) else {}
        key = str(item.get("key") or "").strip().lower()
        label = str(item.get("label") or "").strip()
        weight = _number(item.get("weight"))
        scale = _number(item.get("max"))
        if not KEY_RE.match(key):
            problems.append("Key: 1-40 of a-z, 0-9, - and _, starting with a letter or digit.")
        elif key in seen:
            problems.append(f"Key {key!r} is used twice; keys must be unique.")
        seen.add(key)
        if not label or len(label) > NAME_MAX:
            problems.append(f"Label: 1 to {NAME_MAX} characters.")
        if weight is None or weight <= 0 or weight > MAX_WEIGHT:
            problems.append(f"Weight: a positive number up to {MAX_WEIGHT}.")
        if scale is None or scale != int(scale) or not 1 <= scale <= MAX_SCALE:
            problems.append(f"Max: a whole number from 1 to {MAX_SCALE}.")
        if problems:
            errors[str(index)] = problems
            continue
        cleaned.append({"key": key, "label": label, "weight": int(weight) if weight == int(weight) else weight,
                        "max": int(scale)})
    if errors:
        raise ValidationFailed("The rubric has invalid criteria.", {"criteria": errors})
    return cleaned


def rubric_for(scope: TenantScope, client_id: int) -> QaRubric | None:
    if not scope.allows(client_id):
        raise NotFound("No such client.", {"client_id": client_id})
    return db.session.scalar(scope.select(QaRubric, QaRubric.client_id == client_id))


def save_rubric(scope: TenantScope, client_id: int, name: str, criteria: Any) -> QaRubric:
    """Create or replace the client's rubric (reviews already made keep their scores and totals)."""
    client = client_in_scope(scope, client_id)
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationFailed("The rubric needs a name.", {"name": [f"1 to {NAME_MAX} characters."]})
    cleaned = validate_criteria(criteria)
    rubric = rubric_for(scope, client.id)
    if rubric is None:
        rubric = scope.add(QaRubric(name=name, criteria=cleaned), client.id)
    else:
        rubric.name, rubric.criteria = name, cleaned
    try:
        db.session.commit()
    except IntegrityError as exc:  # two supervisors created it at once
        db.session.rollback()
        raise Conflict("The rubric was created meanwhile; reload and edit it.", {"client_id": [client_id]}) from exc
    return rubric


def client_in_scope(scope: TenantScope, client_id: int) -> Client:
    client = db.session.get(Client, client_id) if scope.allows(client_id) else None
    if client is None:
        raise NotFound(f"No client with id {client_id}.", {"id": client_id})
    return client


def clients_in_scope(scope: TenantScope) -> list[Client]:
    query = select(Client).order_by(Client.name)
    if not scope.all_clients:
        query = query.where(Client.id.in_(scope.client_ids))
    return list(db.session.scalars(query))


def rubrics_by_client(scope: TenantScope) -> dict[int, QaRubric]:
    return {r.client_id: r for r in db.session.scalars(scope.select(QaRubric))}


# --- scoring ---------------------------------------------------------------------

def compute_total(criteria: list[dict[str, Any]], scores: dict[str, int]) -> int:
    """The weighted percentage (see the module docstring) of scores already checked against criteria."""
    weights = sum(c["weight"] for c in criteria)
    earned = sum(c["weight"] * scores[c["key"]] / c["max"] for c in criteria)
    return round(100 * earned / weights)


def clean_scores(criteria: list[dict[str, Any]], raw: Any) -> dict[str, int]:
    raw = raw if isinstance(raw, dict) else {}
    errors: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for criterion in criteria:
        key, top = criterion["key"], criterion["max"]
        value = raw.get(key)
        number = _number(value.strip() if isinstance(value, str) else value)
        if number is None or number != int(number) or not 0 <= number <= top:
            errors[key] = [f"A whole number from 0 to {top}."]
        else:
            scores[key] = int(number)
    unknown = sorted(set(raw) - {c["key"] for c in criteria})
    if unknown:
        errors["_unknown"] = [f"Not in the rubric: {', '.join(map(str, unknown))}."]
    if errors:
        raise ValidationFailed("The scores are invalid.", {"scores": errors})
    return scores


def reviewable_ticket(scope: TenantScope, ticket_id: int) -> Ticket:
    """A ticket the scope may see (404 otherwise, like a missing one)."""
    return scope.get_or_404(Ticket, ticket_id, "ticket")


def review_ticket(scope: TenantScope, ticket_id: int, reviewer: Agent, raw_scores: Any,
                  comment: str | None = None) -> QaReview:
    """Score a solved or closed ticket; the reviewer's earlier review of it is updated."""
    ticket = reviewable_ticket(scope, ticket_id)
    if ticket.status not in REVIEWABLE:
        raise Conflict("Only solved or closed tickets can be reviewed.", {"status": [ticket.status]})
    rubric = rubric_for(scope, ticket.client_id)
    if rubric is None or not rubric.criteria:
        raise Conflict("This client has no QA rubric yet.", {"rubric": ["missing"]})
    scores = clean_scores(rubric.criteria, raw_scores)
    comment = (comment or "").strip() or None
    if comment and len(comment) > COMMENT_MAX:
        raise ValidationFailed("The comment is too long.", {"comment": [f"At most {COMMENT_MAX} characters."]})
    total = compute_total(rubric.criteria, scores)
    review = _my_review(ticket.id, reviewer.id)
    created = review is None
    if created:
        review = QaReview(ticket_id=ticket.id, reviewer_id=reviewer.id)
        scope.add(review, ticket.client_id)
    review.rubric_id, review.agent_id = rubric.id, ticket.assignee_id
    review.scores, review.total, review.comment = scores, total, comment
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same reviewer's other tab saved first
        db.session.rollback()
        raise Conflict("This review was saved meanwhile; reload to see it.", {"review": ["exists"]}) from exc
    events.record(ticket.client_id, "qa.reviewed", Actor("agent", reviewer.id),
                  {"qa": {"review_id": review.id, "total": total, "agent_id": review.agent_id,
                          "updated": not created},
                   "ticket_ref": ticket_ref(ticket)}, ticket_id=ticket.id)
    outbox.commit()
    return review


def _my_review(ticket_id: int, reviewer_id: int) -> QaReview | None:
    return db.session.scalar(select(QaReview).where(QaReview.ticket_id == ticket_id,
                                                    QaReview.reviewer_id == reviewer_id))


def reviews_of(scope: TenantScope, ticket_id: int) -> list[QaReview]:
    return list(db.session.scalars(scope.select(QaReview, QaReview.ticket_id == ticket_id).order_by(QaReview.id)))


def my_review(scope: TenantScope, ticket_id: int, reviewer_id: int) -> QaReview | None:
    return db.session.scalar(scope.select(QaReview, QaReview.ticket_id == ticket_id,
                                          QaReview.reviewer_id == reviewer_id))


def conversation(scope: TenantScope, ticket: Ticket, limit: int = 100) -> list[Message]:
    """The ticket's messages, notes included (reviewers judge the whole handling), oldest first."""
    query = scope.select(Message, Message.ticket_id == ticket.id).order_by(Message.created_at, Message.id)
    return list(db.session.scalars(query.limit(limit)))


def csat_of(scope: TenantScope, ticket_id: int) -> CsatResponse | None:
    return db.session.scalar(scope.select(CsatResponse, CsatResponse.ticket_id == ticket_id))


# --- lists and figures -------------------------------------------------------------

@dataclass
class TicketRow:
    ticket: Ticket
    client_name: str
    agent_name: str | None
    reviews: int
    my_total: int | None


def solved_tickets(scope: TenantScope, reviewer_id: int, *, client_id: int | None = None,
                   agent_id: int | None = None, unreviewed: bool = False, limit: int = 50,
                   offset: int = 0) -> tuple[list[TicketRow], bool]:
    """Solved and closed tickets in scope, latest solved first; returns (rows, has_more)."""
    query = scope.select(Ticket, Ticket.status.in_(REVIEWABLE), Ticket.merged_into_id.is_(None))
    if client_id is not None:
        query = query.where(Ticket.client_id == client_id)
    if agent_id is not None:
        query = query.where(Ticket.assignee_id == agent_id)
    if unreviewed:
        query = query.where(~select(QaReview.id).where(QaReview.ticket_id == Ticket.id).exists())
    query = query.order_by(Ticket.solved_at.desc().nulls_last(), Ticket.id.desc()).offset(offset).limit(limit + 1)
    found = list(db.session.scalars(query))
    has_more = len(found) > limit
    found = found[:limit]
    ids = [t.id for t in found]
    counts: dict[int, int] = defaultdict(int)
    mine: dict[int, int] = {}
    if ids:
        for ticket_id, reviewer, total in db.session.execute(
                select(QaReview.ticket_id, QaReview.reviewer_id, QaReview.total).where(QaReview.ticket_id.in_(ids))):
            counts[ticket_id] += 1
            if reviewer == reviewer_id:
                mine[ticket_id] = total
    names = agent_names({t.assignee_id for t in found if t.assignee_id})
    client_names = {c.id: c.name for c in db.session.scalars(
        select(Client).where(Client.id.in_({t.client_id for t in found})))} if found else {}
    rows = [TicketRow(t, client_names.get(t.client_id, ""), names.get(t.assignee_id), counts[t.id], mine.get(t.id))
            for t in found]
    return rows, has_more


def agent_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids))).all())


def assignees_in_scope(scope: TenantScope, limit: int = 500) -> list[tuple[int, str]]:
    """Agents who handled solved tickets in scope (the agent filter's choices)."""
    handled = (select(Ticket.assignee_id).where(scope.where(Ticket), Ticket.status.in_(REVIEWABLE),
                                                 Ticket.assignee_id.isnot(None)).distinct().limit(limit))
    return list(db.session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(handled)).order_by(Agent.name)))


@dataclass
class ScoreCell:
    average: float
    count: int


@dataclass
class ScoreTable:
    period: str
    periods: list[date]
    agents: list[tuple[int | None, str]]
    cells: dict[tuple[int | None, date], ScoreCell]
    overall: dict[int | None, ScoreCell]


def period_start(moment: datetime, period: str, tz: ZoneInfo) -> date:
    local = moment.astimezone(tz).date()
    if period == "week":
        return local - timedelta(days=local.weekday())  # ISO weeks start on Monday
    return local.replace(day=1)


def agent_scores(scope: TenantScope, *, start: datetime, end: datetime, period: str = "week",
                 tz: str = "UTC", client_id: int | None = None) -> ScoreTable:
    """Average review total and review count per agent (the ticket's assignee) and week (or month)
    in ``tz`` of the review's creation (as the QA report buckets them), for reviews made in [start, end)."""
    if period not in PERIODS:
        raise ValidationFailed("Unknown period.", {"period": [f"One of {', '.join(PERIODS)}."]})
    zone = ZoneInfo(tz)
    query = select(QaReview.agent_id, QaReview.created_at, QaReview.total).where(
        scope.where(QaReview), QaReview.created_at >= start, QaReview.created_at < end)
    if client_id is not None:
        query = query.where(QaReview.client_id == client_id)
    sums: dict[tuple[int | None, date], list[int]] = defaultdict(lambda: [0, 0])
    totals: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for agent_id, reviewed_at, total in db.session.execute(query):
        bucket = period_start(reviewed_at, period, zone)
        for acc in (sums[(agent_id, bucket)], totals[agent_id]):
            acc[0] += total
            acc[1] += 1
    names = agent_names({a for a in totals if a is not None})
    agents = sorted(((a, names.get(a, "(unassigned)") if a is not None else "(unassigned)") for a in totals),
                    key=lambda pair: (pair[1].lower(), pair[0] or 0))
    periods = sorted({bucket for _, bucket in sums})
    return ScoreTable(
        period=period, periods=periods, agents=agents,
        cells={k: ScoreCell(round(s / n, 1), n) for k, (s, n) in sums.items()},
        overall={a: ScoreCell(round(s / n, 1), n) for a, (s, n) in totals.items()},
    )


def count_reviews(scope: TenantScope) -> int:
    return db.session.scalar(select(func.count()).select_from(QaReview).where(scope.where(QaReview))) or 0
