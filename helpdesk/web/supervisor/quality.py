"""Quality reviews, /supervisor/qa: tickets to review, the review form, scores per agent, rubrics.

Supervisors and admins only (agents get 403). Everything goes through the
reviewer's TenantScope: a supervisor dedicated to some clients neither sees nor
reviews other clients' tickets or rubrics (404, like a missing one).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from helpdesk.client.models import Client
from helpdesk.errors import Conflict, ValidationFailed, not_for_role
from helpdesk.platform.tenancy import TenantScope
from helpdesk.supervision import quality
from helpdesk.tickets.html import excerpt

bp = Blueprint("quality", __name__, url_prefix="/supervisor/qa")
PAGE_SIZE = 50
BLANK_ROWS = 3


@bp.before_request
def _supervisors_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_supervisor:
        not_for_role("Quality reviews are")
    return None


def _scope() -> TenantScope:
    return TenantScope.for_agent(current_user)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _zone() -> ZoneInfo:
    try:
        return ZoneInfo(current_user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@bp.get("")
def tickets():
    scope = _scope()
    client_id, agent_id = _int_arg("client_id"), _int_arg("agent_id")
    if client_id is not None and not scope.allows(client_id):
        abort(404)
    unreviewed = request.args.get("unreviewed") == "1"
    offset = _int_arg("offset") or 0
    rows, has_more = quality.solved_tickets(scope, current_user.id, client_id=client_id, agent_id=agent_id,
                                            unreviewed=unreviewed, limit=PAGE_SIZE, offset=offset)
    return render_template("supervisor/qa_list.html", rows=rows, has_more=has_more, offset=offset,
                           page_size=PAGE_SIZE, clients=quality.clients_in_scope(scope),
                           agents=quality.assignees_in_scope(scope), client_id=client_id, agent_id=agent_id,
                           unreviewed=unreviewed, tz=current_user.timezone or "UTC")


def _review_page(ticket_id: int, status: int = 200, errors: dict | None = None, entered: dict | None = None,
                 comment: str | None = None):
    scope = _scope()
    ticket = quality.reviewable_ticket(scope, ticket_id)
    rubric = quality.rubric_for(scope, ticket.client_id)
    mine = quality.my_review(scope, ticket.id, current_user.id)
    reviews = quality.reviews_of(scope, ticket.id)
    reviewer_names = quality.agent_names({r.reviewer_id for r in reviews if r.reviewer_id})
    if entered is None:
        entered = dict(mine.scores) if mine else {}
    messages = [{"kind": m.kind, "at": m.created_at, "excerpt": excerpt(m.new_text or m.body_text, 400),
                 "from": "customer" if m.kind == "inbound" else ("note" if m.kind == "note" else "agent")}
                for m in quality.conversation(scope, ticket)]
    return render_template(
        "supervisor/qa_review.html", ticket=ticket, rubric=rubric, mine=mine, reviews=reviews,
        reviewer_names=reviewer_names,
        agent_name=quality.agent_names({ticket.assignee_id} if ticket.assignee_id else set()).get(ticket.assignee_id),
        messages=messages, csat=quality.csat_of(scope, ticket.id), errors=errors or {}, entered=entered,
        comment=comment if comment is not None else (mine.comment if mine else ""),
        reviewable=ticket.status in quality.REVIEWABLE, tz=current_user.timezone or "UTC",
    ), status


@bp.get("/tickets/<int:ticket_id>")
def review_form(ticket_id: int):
    return _review_page(ticket_id)


@bp.post("/tickets/<int:ticket_id>")
def review_submit(ticket_id: int):
    scores = {key[len("score-"):]: value for key, value in request.form.items() if key.startswith("score-")}
    comment = request.form.get("comment", "")
    try:
        review = quality.review_ticket(_scope(), ticket_id, current_user, scores, comment)
    except ValidationFailed as error:
        return _review_page(ticket_id, 422, errors=error.details, entered=scores, comment=comment)
    except Conflict as error:
        flash(error.message, "error")
        return _review_page(ticket_id, 409, entered=scores, comment=comment)
    flash(f"Review saved: total {review.total} / 100.", "ok")
    return redirect(url_for("quality.review_form", ticket_id=ticket_id), code=303)


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/scores")
def scores():
    scope = _scope()
    zone = _zone()
    period = request.args.get("period", "week")
    if period not in quality.PERIODS:
        period = "week"
    client_id = _int_arg("client_id")
    if client_id is not None and not scope.allows(client_id):
        abort(404)
    today = datetime.now(UTC).astimezone(zone).date()
    end_day = _date_arg("to") or today
    start_day = _date_arg("from") or (end_day - (timedelta(weeks=12) if period == "week" else timedelta(days=365)))
    if start_day > end_day:
        start_day, end_day = end_day, start_day
    start = datetime.combine(start_day, time.min, zone).astimezone(UTC)
    end = datetime.combine(end_day + timedelta(days=1), time.min, zone).astimezone(UTC)
    table = quality.agent_scores(scope, start=start, end=end, period=period, tz=zone.key, client_id=client_id)
    return render_template("supervisor/qa_scores.html", table=table, period=period, client_id=client_id,
                           clients=quality.clients_in_scope(scope), start_day=start_day, end_day=end_day,
                           tz=zone.key)


@bp.get("/rubrics")
def rubrics():
    scope = _scope()
    return render_template("supervisor/qa_rubrics.html", clients=quality.clients_in_scope(scope),
                           rubrics=quality.rubrics_by_client(scope))


def _criteria_from_form() -> list[dict]:
    rows = []
    for index in range(quality.MAX_CRITERIA + BLANK_ROWS):
        fields = {name: request.form.get(f"{name}-{index}", "").strip() for name in ("key", "label", "weight", "max")}
        if any(fields.values()):
            rows.append(fields)
    return rows


def _rubric_page(client: Client, rubric, status: int = 200, errors: dict | None = None,
                 name: str | None = None, criteria: list | None = None):
    criteria = criteria if criteria is not None else (list(rubric.criteria) if rubric else [])
    return render_template("supervisor/qa_rubric_edit.html", client=client, rubric=rubric, errors=errors or {},
                           name=name if name is not None else (rubric.name if rubric else "Quality review"),
                           rows=criteria + [{}] * BLANK_ROWS), status


@bp.get("/rubrics/<int:client_id>")
def rubric_form(client_id: int):
    scope = _scope()
    client = quality.client_in_scope(scope, client_id)
    return _rubric_page(client, quality.rubric_for(scope, client.id))


@bp.post("/rubrics/<int:client_id>")
def rubric_save(client_id: int):
    scope = _scope()
    client = quality.client_in_scope(scope, client_id)
    name, criteria = request.form.get("name", ""), _criteria_from_form()
    try:
        quality.save_rubric(scope, client.id, name, criteria)
    except (ValidationFailed, Conflict) as error:
        return _rubric_page(client, quality.rubric_for(scope, client.id), 422 if isinstance(error, ValidationFailed)
                            else 409, errors={"message": error.message, **error.details}, name=name,
                            criteria=criteria)
    flash(f"Rubric saved for {client.name}.", "ok")
    return redirect(url_for("quality.rubric_form", client_id=client.id), code=303)
