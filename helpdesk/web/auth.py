"""Sign-in and sign-out for BPO staff (CSRF-protected form, argon2id, throttled)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from helpdesk.extensions import limiter
from helpdesk.services import agents

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in")


def _login_key() -> str:
    return f"login:{request.remote_addr}:{(request.form.get('email') or '').strip().lower()}"


def _failed(response) -> bool:
    # Only failed attempts count towards the throttle.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key, methods=["POST"],
               deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("agent.home"))
    form = LoginForm()
    if form.validate_on_submit():
        agent = agents.authenticate(form.email.data, form.password.data)
        if agent is not None:
            login_user(agent, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("agent.home"))
        flash("Wrong email or password.", "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.post("/logout")
@login_required
def logout():
    if request.form.get("everywhere"):
        agents.logout_everywhere(current_user)
    logout_user()
    return redirect(url_for("auth.login"))
