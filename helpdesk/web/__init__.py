"""Browser surfaces: sign-in, agent workspace, supervisor and admin pages, the client portal."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, redirect, url_for
from flask_login import current_user

from helpdesk.web.admin import audit, pages, portal_users, setup, staff, webhooks  # noqa: F401  (each adds its routes to the admin blueprint)
from helpdesk.web.admin.base import bp as admin_bp
from helpdesk.web.agent.api import bp as staff_api_bp
from helpdesk.web.agent.pages import bp as agent_bp
from helpdesk.web.auth import bp as auth_bp
from helpdesk.web.chat import bp as chat_bp
from helpdesk.web.csat import bp as csat_bp
from helpdesk.web.inbound import bp as inbound_bp
from helpdesk.web.portal import auth as portal_auth  # noqa: F401  (each adds its routes to the portal blueprint)
from helpdesk.web.portal import company, reports, tickets  # noqa: F401
from helpdesk.web.portal import webhooks as portal_webhooks  # noqa: F401
from helpdesk.web.portal.base import bp as portal_bp
from helpdesk.web.supervisor.quality import bp as quality_bp
from helpdesk.web.supervisor.reports import bp as reports_bp
from helpdesk.web.supervisor.wallboard import bp as supervisor_bp


def localtime(value: datetime | None, tz: str = "UTC") -> str:
    """Render a UTC datetime in the viewer's time zone (conversion happens only at the edge)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


# No inline script runs: every page's code is a file under /static, and data travels in
# <script type="application/json"> blocks, which are never executed. An escaping bug that lets
# markup through therefore cannot run script.
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "connect-src 'self' ws: wss:; frame-ancestors 'none'")


def register_web(app: Flask) -> None:
    app.register_blueprint(auth_bp)
    app.register_blueprint(agent_bp)
    app.register_blueprint(staff_api_bp)
    app.register_blueprint(inbound_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(chat_bp)
    app.register_blueprint(supervisor_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(quality_bp)
    app.register_blueprint(csat_bp)
    app.register_blueprint(portal_bp)

    app.add_template_filter(localtime)

    @app.get("/")
    def index():
        if current_user.is_authenticated:
            return redirect(url_for("agent.home"))
        return redirect(url_for("auth.login"))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        return response
