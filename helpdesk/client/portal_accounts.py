"""Client staff accounts for /portal: invitations, sign-in and sessions.

A portal user belongs to one client company. The session cookie carries
``"<id>:<session_version>"`` under its own key, apart from the BPO staff's
flask-login session, so a portal sign-in never opens a staff page and the other
way round. Invitation links carry a random token whose SHA-256 alone is kept;
it is made by the job that mails it, so it never travels through Redis.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from email.message import EmailMessage
from functools import lru_cache

from flask import current_app
from sqlalchemy import select

from helpdesk import audit
from helpdesk.channels.email.outbound import smtp_connection
from helpdesk.client.models import PORTAL_ROLES, PortalUser
from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import outbox, security
from helpdesk.platform.db import utcnow
from workers.queues import DEFAULT_QUEUE

INVITE_TASK = "workers.jobs.send_portal_invite"
INVITE_DAYS = 7
MIN_PASSWORD = 12
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_invite(email: str, name: str, role: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not EMAIL_RE.match(email) or len(email) > 320:
        problems["email"] = ["Give an email address."]
    elif db.session.scalar(select(PortalUser.id).where(PortalUser.email == email)):
        problems["email"] = ["This address already has a portal account."]
    if not name or len(name) > 200:
        problems["name"] = ["Give a name of at most 200 characters."]
    if role not in PORTAL_ROLES:
        problems["role"] = [f"Use one of {', '.join(PORTAL_ROLES)}."]
    return problems


def invite(client_id: int, email: str, name: str, role: str = "member") -> PortalUser:
    """Create the account and have a worker mail its link (after commit, through the outbox)."""
    email, name = (email or "").strip().lower(), (name or "").strip()
    problems = _check_invite(email, name, role)
    if problems:
        raise ValidationFailed("The invitation is not valid.", problems)
    user = PortalUser(client_id=client_id, email=email, name=name, role=role, active=True, session_version=1)
    db.session.add(user)
    db.session.flush()
    _send_link_later(user)
    audit.record("portal_user.invited", client_id=client_id, object_type="portal_user", object_id=user.id,
                 details={"email": email, "role": role})
    outbox.commit()
    return user


def resend_invite(client_id: int, user_id: int) -> PortalUser:
    user = get_user(client_id, user_id)
    if user.password_hash:
        raise Conflict("This person has already set a password.", {"invite": ["accepted"]})
    _send_link_later(user)
    audit.record("portal_user.invite_resent", client_id=client_id, object_type="portal_user", object_id=user.id)
    outbox.commit()
    return user


def _send_link_later(user: PortalUser) -> None:
    outbox.add(INVITE_TASK, {"user_id": user.id}, client_id=user.client_id, queue=DEFAULT_QUEUE)


def get_user(client_id: int, user_id: int) -> PortalUser:
    user = db.session.get(PortalUser, user_id)
    if user is None or user.client_id != client_id:
        raise NotFound("No such portal user.", {"user_id": [user_id]})
    return user


def users_of(client_id: int) -> list[PortalUser]:
    return list(db.session.scalars(select(PortalUser).where(PortalUser.client_id == client_id)
                                   .order_by(PortalUser.name)))


def set_active(client_id: int, user_id: int, active: bool) -> PortalUser:
    user = get_user(client_id, user_id)
    if user.active and not active:
        user.session_version += 1  # every open session of that person ends now
    user.active = active
    audit.record("portal_user.enabled" if active else "portal_user.disabled", client_id=client_id,
                 object_type="portal_user", object_id=user.id)
    db.session.commit()
    return user


def send_invite(user_id: int) -> str:
    """Job: a fresh one-time link (valid INVITE_DAYS) mailed to the invited person."""
    user = db.session.get(PortalUser, user_id)
    if user is None or user.password_hash or not user.active:
        return "not needed"
    token = secrets.token_urlsafe(32)
    user.invite_token_hash = security.hash_secret(token)
    user.invite_expires_at = utcnow() + timedelta(days=INVITE_DAYS)
    client_name, address = user.client.name, user.email
    db.session.commit()
    notice = EmailMessage()
    notice["From"] = current_app.config["MAIL_FROM"]
    notice["To"] = address
    notice["Subject"] = f"You are invited to the {client_name} support portal"
    notice.set_content(
        f"Hello {user.name},\n\nyou can now follow {client_name}'s support tickets, reports and settings.\n"
        f"Set your password within {INVITE_DAYS} days here:\n\n{invite_url(token)}\n")
    with smtp_connection() as smtp:
        smtp.send_message(notice)
    return "sent"


def invite_url(token: str) -> str:
    config = current_app.config
    base = config.get("PUBLIC_URL") or f"http://{config.get('HOST', '127.0.0.1')}:{config.get('PORT', 5000)}"
    return f"{base.rstrip('/')}/portal/invite/{token}"


def invited_by_token(token: str) -> PortalUser | None:
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(PortalUser).where(PortalUser.invite_token_hash == security.hash_secret(token)))
    if user is None or not user.active or user.invite_expires_at is None or user.invite_expires_at < utcnow():
        return None
    return user


def accept_invite(token: str, password: str) -> PortalUser:
    user = invited_by_token(token)
    if user is None:
        raise NotFound("This invitation link is not valid any more; ask for a new one.", {"token": ["unknown"]})
    if len(password or "") < MIN_PASSWORD or len(password) > 200:
        raise ValidationFailed("Choose a longer password.",
                               {"password": [f"Use at least {MIN_PASSWORD} characters."]})
    user.password_hash = security.hash_password(password)
    user.invite_token_hash, user.invite_expires_at = None, None
    audit.record("portal_user.invite_accepted", client_id=user.client_id, object_type="portal_user",
                 object_id=user.id, actor=("portal_user", user.id, user.role))
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> PortalUser | None:
    user = db.session.scalar(select(PortalUser).where(PortalUser.email == (email or "").strip().lower()))
    if user is None or not user.password_hash:
        security.verify_password(_dummy_hash(), password)  # same cost: no telling which emails exist
        return None
    if not user.active or not user.client.active or not security.verify_password(user.password_hash, password):
        return None
    user.last_signed_in_at = utcnow()
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    return user


def session_token(user: PortalUser) -> str:
    return f"{user.id}:{user.session_version}"


def load_session_user(token: str | None) -> PortalUser | None:
    user_id, _, version = (token or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(PortalUser, int(user_id))
    if user is None or not user.active or user.session_version != int(version) or not user.client.active:
        return None
    return user


def client_admin_emails(client_id: int) -> list[str]:
    """Who hears about the client's operational problems (e.g. a disabled webhook endpoint)."""
    return list(db.session.scalars(select(PortalUser.email).where(
        PortalUser.client_id == client_id, PortalUser.role == "admin", PortalUser.active.is_(True),
        PortalUser.password_hash.is_not(None))))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return security.hash_password("not-a-real-password")
