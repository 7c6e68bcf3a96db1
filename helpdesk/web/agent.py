"""The agent workspace (live over Socket.IO /agent)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.models import OPEN_STATUSES, Ticket
from helpdesk.services.tenancy import TenantScope

bp = Blueprint("agent", __name__, url_prefix="/agent")


@bp.get("")
@login_required
def home():
    scope = TenantScope.for_agent(current_user)
    query = scope.select(Ticket, Ticket.status.in_(OPEN_STATUSES))
    if not current_user.is_supervisor and current_user.region_id:
        query = query.where(Ticket.region_id == current_user.region_id)
    recent = db.session.scalars(query.order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(50)).all()
    return render_template("agent/home.html", tickets=recent)
