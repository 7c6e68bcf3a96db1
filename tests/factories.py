"""Test data built through the real services (so tests exercise the same paths as users)."""

from __future__ import annotations

import itertools
import re

from helpdesk.client import clients
from helpdesk.extensions import db
from helpdesk.models import Calendar, Region
from helpdesk.staff import accounts as agents

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"
PORTAL_PASSWORD = "a-long-portal-password"


def make_region(slug: str | None = None, tz: str = "UTC", hours: dict | None = None,
                around_the_clock: bool = True, order: int = 1) -> Region:
    slug = slug or f"region-{next(_seq)}"
    calendar = Calendar(name=f"{slug} shifts", timezone=tz, weekly_hours=hours or {},
                        around_the_clock=around_the_clock)
    region = Region(name=slug.title(), slug=slug, calendar=calendar, chain_order=order)
    db.session.add(region)
    db.session.commit()
    return region


def make_client(slug: str | None = None, **kwargs) -> tuple[int, str]:
    """Create a client company; returns (client_id, api_key)."""
    slug = slug or f"client-{next(_seq)}"
    created = clients.create_client(kwargs.pop("name", slug.title()), slug, **kwargs)
    return created.client.id, created.api_key


def make_agent(email: str | None = None, role: str = "agent", region_slug: str | None = None,
               all_clients: bool = True, **kwargs):
    email = email or f"agent{next(_seq)}@helpdesk.test"
    return agents.create_agent(email, kwargs.pop("name", email.split("@")[0]), kwargs.pop("password", PASSWORD),
                               role=role, region_slug=region_slug, all_clients=all_clients, **kwargs)


def make_portal_user(client_id: int, email: str, role: str = "admin", name: str | None = None,
                     password: str = PORTAL_PASSWORD):
    """A client company's portal account that has set its password (the invitation is tested on its own)."""
    from helpdesk.client.models import PortalUser
    from helpdesk.platform import security

    user = PortalUser(client_id=client_id, email=email, name=name or email.split("@")[0], role=role,
                      password_hash=security.hash_password(password), active=True, session_version=1)
    db.session.add(user)
    db.session.commit()
    return user


def auth(api_key: str) -> dict:
    return {"Authorization": f"Bearer {api_key}"}


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1) or match.group(2)
