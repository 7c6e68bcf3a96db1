"""Portal sign-in, sign-out and the invitation link (set a password), with the staff sign-in's throttles."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from helpdesk import audit
from helpdesk.errors import NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.portal import accounts
from helpdesk.web.auth import account_key, address_and_account_key, address_key, login_limit, safe_next
from helpdesk.web.portal.base import bp, end_session, start_session


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


@bp.route("/sign-in", methods=["GET", "POST"])
@login_limit("LOGIN_RATE_LIMIT", address_and_account_key)
@login_limit("LOGIN_ACCOUNT_RATE_LIMIT", account_key)
@login_limit("LOGIN_ADDRESS_RATE_LIMIT", address_key)
def sign_in():
    if g.get("portal_user") is not None:
        return redirect(url_for("portal.tickets"))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("portal.tickets"))
        audit.record("auth.sign_in_failed", client_id=None, details={"email": form.email.data.strip().lower()[:320],
                                                                     "surface": "portal"},
                     actor=("anonymous", None, "anonymous"))
        db.session.commit()
        flash("Wrong email or password.", "error")
        return render_template("portal/sign_in.html", form=form), 401
    return render_template("portal/sign_in.html", form=form), 400 if request.method == "POST" else 200


@bp.post("/sign-out")
def sign_out():
    if request.form.get("everywhere"):
        accounts.sign_out_everywhere(g.portal_user)
    else:
        audit.record("auth.signed_out", client_id=g.portal_user.client_id, object_type="portal_user",
                     object_id=g.portal_user.id)
        db.session.commit()
    end_session()
    return redirect(url_for("portal.sign_in"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@login_limit("LOGIN_ADDRESS_RATE_LIMIT", address_key)
def invitation(token: str):
    user = accounts.pending_invitation(token)
    if user is None:
        return render_template("portal/invitation.html", user=None, errors={}), 404
    errors: dict = {}
    if request.method == "POST":
        try:
            joined = accounts.accept_invitation(token, request.form.get("password", ""),
                                                request.form.get("password_again", ""))
        except ValidationFailed as refused:
            errors = refused.details
        except NotFound:
            return render_template("portal/invitation.html", user=None, errors={}), 404
        else:
            start_session(joined)
            flash(f"Welcome, {joined.name}. Your password is set.", "ok")
            return redirect(url_for("portal.tickets"))
    return render_template("portal/invitation.html", user=user, errors=errors,
                           minimum=accounts.PASSWORD_MIN), 400 if errors else 200
