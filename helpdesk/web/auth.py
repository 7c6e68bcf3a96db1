"""Sign-in and sign-out for BPO staff (CSRF-protected form, argon2id, throttled)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from helpdesk import audit
from helpdesk.extensions import db, limiter
from helpdesk.staff import accounts as agents

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in")


def _attempted_email() -> str:
    return (request.form.get("email") or "").strip().lower()


def address_and_account_key() -> str:
    return f"login:{request.remote_addr}:{_attempted_email()}"


def account_key() -> str:
    return f"login-account:{_attempted_email()}"


def address_key() -> str:
    return f"login-address:{request.remote_addr}"


def _failed(response) -> bool:
    # Only failed attempts count, so agents signing in all day never throttle themselves.
    return response.status_code != 302


def login_limit(setting: str, key_func):
    """One failed-sign-in budget; a spent budget answers 429 with Retry-After (flask-limiter on Redis)."""
    return limiter.limit(lambda: current_app.config[setting], key_func=key_func, methods=["POST"],
                         deduct_when=_failed)


@bp.route("/login", methods=["GET", "POST"])
@login_limit("LOGIN_RATE_LIMIT", address_and_account_key)
@login_limit("LOGIN_ACCOUNT_RATE_LIMIT", account_key)
@login_limit("LOGIN_ADDRESS_RATE_LIMIT", address_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("agent.home"))
    form = LoginForm()
    if form.validate_on_submit():
        agent = agents.authenticate(form.email.data, form.password.data)
        if agent is not None:
            audit.record("auth.signed_in", client_id=None, object_type="agent", object_id=agent.id,
                         actor=("agent", agent.id, agent.role))
            db.session.commit()
            _start_session(agent, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("agent.home"))
        audit.record("auth.sign_in_failed", client_id=None, details={"email": _attempted_email()[:320]},
                     actor=("anonymous", None, "anonymous"))
        db.session.commit()
        flash("Wrong email or password.", "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


def _start_session(agent, *, remember: bool) -> None:
    # Nothing from before sign-in survives into the signed-in session (fixation); the
    # cookie then expires after PERMANENT_SESSION_LIFETIME instead of living until the
    # browser closes, which for a shift-long tab may be never.
    session.clear()
    session.permanent = True
    login_user(agent, remember=remember)


def safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.post("/logout")
@login_required
def logout():
    if request.form.get("everywhere"):
        return logout_everywhere()
    audit.record("auth.signed_out", client_id=None, object_type="agent", object_id=current_user.id)
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/auth/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session of the signed-in agent: other browsers, remember cookies and live sockets."""
    # Bumping the session version refuses every other session's next request and socket
    # event; on commit, realtime also closes that agent's open sockets (see realtime.watch_access).
    agents.logout_everywhere(current_user)
    logout_user()
    return redirect(url_for("auth.login"))
