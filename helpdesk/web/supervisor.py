"""The supervisor wallboard, /supervisor: live queues, agents and the follow-the-sun clocks.

The page is rendered with the board as it is now; the figures then arrive over
Socket.IO (/agent, event ``wallboard``), pushed at most a few times a second.
Supervisors dedicated to some clients see only those clients.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from helpdesk.services import wallboard
from helpdesk.services.tenancy import TenantScope

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("")
@login_required
def board():
    if not current_user.is_supervisor:
        abort(403)
    snapshot = wallboard.snapshot(TenantScope.for_agent(current_user))
    return render_template("supervisor/wallboard.html", board=snapshot, tv=request.args.get("tv") == "1")
