"""The customer's satisfaction survey, /csat/<token>: a public page, no sign-in.

The token in the link is the only credential; the page shows nothing of the
ticket but its subject. One answer per ticket: a second one gets the "already
rated" page (409 for JSON posts). Throttled per address (flask-limiter on Redis),
CSRF-protected like every form, never cached, and sent with no referrer so the
token does not leak to other sites.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from helpdesk.errors import Conflict, NotFound, ValidationFailed, wants_json
from helpdesk.extensions import limiter
from helpdesk.supervision import csat

bp = Blueprint("csat", __name__, url_prefix="/csat")
DEFAULT_LIMIT = "30 per minute"


def _limit() -> str:
    return current_app.config.get("CSAT_RATE_LIMIT") or DEFAULT_LIMIT


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _page(template: str, status: int = 200, **context):
    return render_template(f"csat/{template}", ratings=csat.RATINGS, comment_max=csat.COMMENT_MAX,
                           **context), status


def _not_found():
    if wants_json():
        raise NotFound("This survey link is not valid.", {"token": ["unknown"]})
    return _page("not_found.html", 404)


@bp.get("/<token>")
@limiter.limit(_limit)
def survey(token: str):
    found = csat.find_by_token(token)
    if found is None:
        return _not_found()
    subject = csat.ticket_subject(found)
    if found.answered_at is not None:
        return _page("done.html", subject=subject, already=True)
    chosen = request.args.get("rating", type=int)
    return _page("survey.html", subject=subject, chosen=chosen if chosen in csat.RATINGS else None,
                 comment="", errors={})


@bp.post("/<token>")
@limiter.limit(_limit)
def submit(token: str):
    found = csat.find_by_token(token)
    if found is None:
        return _not_found()
    as_json = request.is_json
    data = request.get_json(silent=True) if as_json else request.form
    if as_json and not isinstance(data, dict):
        raise ValidationFailed("Send the answer as a JSON object.", {"_schema": ["Expected a JSON object."]})
    rating, comment = data.get("rating"), data.get("comment")
    subject = csat.ticket_subject(found)
    try:
        answered = csat.answer(token, rating, comment)
    except Conflict:
        if as_json or wants_json():
            raise
        return _page("done.html", 409, subject=subject, already=True)
    except ValidationFailed as error:
        if as_json or wants_json():
            raise
        chosen = rating if isinstance(rating, str) and rating.isdigit() and int(rating) in csat.RATINGS else None
        return _page("survey.html", 422, subject=subject, chosen=int(chosen) if chosen else None,
                     comment=(comment or "")[: csat.COMMENT_MAX * 2], errors=error.details)
    if as_json:
        return jsonify({"rating": answered.rating, "comment": answered.comment,
                        "answered_at": answered.answered_at.isoformat()})
    return _page("done.html", subject=subject, already=False, rating=answered.rating)
