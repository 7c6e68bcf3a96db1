"""Portal accounts: people at a client company who sign in at /portal and see that company only.

An account starts as an invitation (by the BPO's admin or the company's own portal admin).
The invitation job makes the one-time token when it mails it: only its SHA-256 is stored, so
the link exists in the mail alone, and asking for a new mail makes the older link useless.
Following the link sets the password; the token is then forgotten. Sessions carry
``"<id>:<session_version>"``: deactivating an account or signing out everywhere bumps the
version and every open session ends at its next request.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from email.message import EmailMessage
from functools import lru_cache

from flask import current_app
from sqlalchemy import func, select

from helpdesk import audit
from helpdesk.channels.email.outbound import smtp_connection
from helpdesk.client.models import PORTAL_ROLES, PortalUser
from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import outbox, security
from helpdesk.platform.db import utcnow
from helpdesk.platform.tenancy import TenantScope

INVITE_TASK = "workers.jobs.send_portal_invitation"
INVITE_HOURS = 72
PASSWORD_MIN = 12
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def invite(scope: TenantScope, email: str, name: str, role: str = "member") -> PortalUser:
    """A new account for the scope's one client, and the job that mails its link."""
    email, name = (email or "").strip().lower(), (name or "").strip()
    problems: dict[str, list[str]] = {}
    if not EMAIL_RE.match(email) or len(email) > 320:
        problems["email"] = ["Give an e-mail address like name@company.example."]
    if not name or len(name) > 200:
        problems["name"] = ["Give a name of 1 to 200 characters."]
    if role not in PORTAL_ROLES:
        problems["role"] = [f"Choose one of: {', '.join(PORTAL_ROLES)}."]
    if problems:
        raise ValidationFailed("The invitation is not complete.", problems)
    if db.session.scalar(select(PortalUser.id).where(PortalUser.email == email)):
        raise Conflict("This e-mail address already has a portal account.", {"email": [email]})
    user = PortalUser(email=email, name=name, role=role, active=True, session_version=1)
    scope.add(user, scope.client_id)
    db.session.flush()
    _send_link(user, "portal_user.invited")
    return user


def resend_invitation(scope: TenantScope, user_id: int) -> PortalUser:
    """Mail a new link (the older one stops working). For an account with a password, it sets a new one."""
    user = get_user(scope, user_id)
    if not user.active:
        raise Conflict("This account is deactivated; activate it before sending a link.", {"active": [False]})
    _send_link(user, "portal_user.invitation_sent")
    return user


def _send_link(user: PortalUser, action: str) -> None:
    user.invite_token_hash = None  # the job makes the token; until then no older link works
    user.invite_expires_at = utcnow() + timedelta(hours=INVITE_HOURS)
    audit.record(action, client_id=user.client_id, object_type="portal_user", object_id=user.id,
                 details={"email": user.email, "role": user.role})
    outbox.add(INVITE_TASK, {"portal_user_id": user.id}, client_id=user.client_id)
    outbox.commit()


def send_invitation(user_id: int) -> str:
    """The job: make the one-time token, keep its hash, mail the link (no transaction stays open on SMTP)."""
    user = db.session.get(PortalUser, user_id)
    if user is None or not user.active or user.invite_expires_at is None or user.invite_expires_at <= utcnow():
        db.session.rollback()
        return "not needed"
    token = secrets.token_urlsafe(32)
    user.invite_token_hash = security.hash_secret(token)
    expires, email, name, company = user.invite_expires_at, user.email, user.name, user.client.name
    first_time = user.password_hash is None
    db.session.commit()
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_FROM"]
    mail["To"] = email
    mail["Subject"] = (f"You are invited to the {company} support portal" if first_time
                       else f"Set a new password for the {company} support portal")
    mail.set_content(
        f"Hello {name},\n\n"
        + (f"you now have an account on {company}'s support portal: your tickets, SLA figures, webhooks and "
           "API keys.\n\n" if first_time else "here is a link to set a new password for the support portal.\n\n")
        + f"Choose your password here (the link works once, until {expires:%Y-%m-%d %H:%M} UTC):\n"
        f"{security.public_url(invitation_path(token))}\n\nIf you did not expect this mail, ignore it.\n")
    with smtp_connection() as smtp:
        smtp.send_message(mail)
    return "sent"


def invitation_path(token: str) -> str:
    return f"/portal/invitation/{token}"


def pending_invitation(token: str) -> PortalUser | None:
    """The account a link is for, while the link is valid."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(PortalUser).where(PortalUser.invite_token_hash == security.hash_secret(token)))
    if user is None or not user.active or not user.client.active or user.invite_expires_at is None \
            or user.invite_expires_at <= utcnow():
        return None
    return user


def accept_invitation(token: str, password: str, repeated: str) -> PortalUser:
    """Set the password through a valid link; the link is spent and other sessions end."""
    user = pending_invitation(token)
    if user is None:
        raise NotFound("This link is not valid any more: it was used, replaced by a newer one, or it expired. "
                       "Ask your portal admin for a new one.")
    problems = password_problems(password, repeated)
    if problems:
        raise ValidationFailed("Choose another password.", {"password": problems})
    joined = user.password_hash is None
    user.password_hash = security.hash_password(password)
    user.invite_token_hash = user.invite_expires_at = None
    user.session_version += 1
    user.last_signed_in_at = utcnow()
    audit.record("portal_user.joined" if joined else "portal_user.password_set", client_id=user.client_id,
                 object_type="portal_user", object_id=user.id, actor=portal_actor(user))
    db.session.commit()
    return user


def password_problems(password: str, repeated: str) -> list[str]:
    problems = []
    if len(password or "") < PASSWORD_MIN:
        problems.append(f"Use at least {PASSWORD_MIN} characters.")
    if len(password or "") > 200:
        problems.append("Use at most 200 characters.")
    if password != repeated:
        problems.append("The two passwords differ.")
    return problems


def authenticate(email: str, password: str) -> PortalUser | None:
    user = db.session.scalar(select(PortalUser).where(PortalUser.email == (email or "").strip().lower()))
    if user is None or user.password_hash is None:
        security.verify_password(_dummy_hash(), password)  # same cost: timing does not tell who has an account
        return None
    if not user.active or not user.client.active or not security.verify_password(user.password_hash, password):
        return None
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    user.last_signed_in_at = utcnow()
    audit.record("auth.signed_in", client_id=user.client_id, object_type="portal_user", object_id=user.id,
                 actor=portal_actor(user))
    db.session.commit()
    return user


def session_value(user: PortalUser) -> str:
    return f"{user.id}:{user.session_version}"


def load_session(value: str | None) -> PortalUser | None:
    user_id, _, version = (value or "").partition(":")
    if not user_id.isdigit() or not version.isdigit() or len(user_id) > 12:
        return None
    user = db.session.get(PortalUser, int(user_id))
    if user is None or not user.active or not user.client.active or user.session_version != int(version):
        return None
    return user


def sign_out_everywhere(user: PortalUser) -> None:
    user.session_version += 1
    audit.record("auth.signed_out_everywhere", client_id=user.client_id, object_type="portal_user",
                 object_id=user.id)
    db.session.commit()


def list_users(scope: TenantScope) -> list[PortalUser]:
    return list(db.session.scalars(scope.select(PortalUser).order_by(PortalUser.name, PortalUser.id)))


def get_user(scope: TenantScope, user_id: int) -> PortalUser:
    return scope.get_or_404(PortalUser, user_id, "portal user")


def change_user(scope: TenantScope, user_id: int, *, role: str | None = None, active: bool | None = None,
                acting: PortalUser | None = None) -> PortalUser:
    """Change a role or (de)activate; a deactivated account's sessions end. The last active admin stays."""
    user = get_user(scope, user_id)
    if role is not None and role not in PORTAL_ROLES:
        raise ValidationFailed("Unknown role.", {"role": [f"Choose one of: {', '.join(PORTAL_ROLES)}."]})
    if acting is not None and acting.id == user.id and (active is False or role == "member"):
        raise Conflict("You cannot remove your own admin rights or account; ask another admin.", {"id": [user.id]})
    losing_admin = user.role == "admin" and user.active and (active is False or role == "member")
    if losing_admin and acting is not None and _active_admins(user.client_id) <= 1:
        raise Conflict("This is the company's last active portal admin.", {"id": [user.id]})
    changes = {}
    if role is not None and role != user.role:
        changes["role"], user.role = [user.role, role], role
    if active is not None and active != user.active:
        changes["active"], user.active = [user.active, active], active
        user.session_version += 1
    if changes:
        audit.record("portal_user.updated", client_id=user.client_id, object_type="portal_user",
                     object_id=user.id, details=changes)
    db.session.commit()
    return user


def apply_action(scope: TenantScope, user_id: int, action: str | None, *, role: str | None = None,
                 acting: PortalUser | None = None) -> str:
    """One of the account buttons (resend, activate, deactivate, role) of the portal's and the BPO
    admin's pages; returns what to tell the person who pressed it."""
    get_user(scope, user_id)  # another company's account is a 404 whatever the action
    if action == "resend":
        user = resend_invitation(scope, user_id)
        return f"A new link was mailed to {user.email}; older links no longer work."
    if action in ("activate", "deactivate"):
        user = change_user(scope, user_id, active=action == "activate", acting=acting)
        return f"{user.name} is {'active' if user.active else 'deactivated; their sessions ended'}."
    if action == "role":
        user = change_user(scope, user_id, role=role, acting=acting)
        return f"{user.name} is now {user.role}."
    raise ValidationFailed("Unknown action.", {"action": ["resend, activate, deactivate or role"]})


def _active_admins(client_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(PortalUser).where(
        PortalUser.client_id == client_id, PortalUser.role == "admin", PortalUser.active.is_(True))) or 0


def portal_actor(user: PortalUser) -> tuple[str, int, str]:
    return "portal_user", user.id, f"portal_{user.role}"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return security.hash_password("not-a-real-password")

