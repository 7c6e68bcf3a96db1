"""What every portal page shares: the blueprint, the portal session and the role check.

The portal session is not flask-login's (that is the BPO's staff): it is one session key,
``portal_user`` = ``"<id>:<session_version>"``, loaded into ``g.portal_user`` before each
request. The audit trail reads ``g.portal_user`` to name who acted. Every query a page makes
goes through ``scope()``, the signed-in user's one client.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, session, url_for

from helpdesk.platform.tenancy import TenantScope
from helpdesk.portal import accounts

bp = Blueprint("portal", __name__, url_prefix="/portal")

SESSION_KEY = "portal_user"
OPEN_PAGES = {"portal.sign_in", "portal.invitation"}


@bp.before_request
def _load_portal_user():
    user = accounts.load_session(session.get(SESSION_KEY))
    if user is None:
        session.pop(SESSION_KEY, None)
        if request.endpoint in OPEN_PAGES:
            return None
        if request.method != "GET":
            abort(401, description="Your portal session ended; sign in again.")
        return redirect(url_for("portal.sign_in", next=request.full_path.rstrip("?")))
    g.portal_user = user
    return None


def start_session(user) -> None:
    session.clear()  # nothing from before sign-in survives (fixation)
    session.permanent = True
    session[SESSION_KEY] = accounts.session_value(user)


def end_session() -> None:
    session.pop(SESSION_KEY, None)


def scope() -> TenantScope:
    return TenantScope.for_client(g.portal_user.client_id)


def admins_only(what: str) -> None:
    """Refuse a page or action to a portal member, saying what it is and whom it is for."""
    if not g.portal_user.is_admin:
        abort(403, description=f"{what} for your company's portal admins; you are signed in as a member. "
                               "Ask an admin to change your role.")


@bp.app_context_processor
def _portal_user():
    return {"portal_user": g.get("portal_user")}
