"""Follow-the-sun regions as admins set them up: shift calendar, chain order, handoff policy, OLA targets."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.admin.calendars import apply_calendar, calendar_values
from helpdesk.admin.forms import HANDOFF_POLICIES, Fields, Form, commit_change, get_or_404
from helpdesk.client import clients
from helpdesk.extensions import db
from helpdesk.routing.models import Calendar, Region
from helpdesk.sla.models import PRIORITIES, OlaTarget


def all_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.chain_order, Region.id)))


def get_region(region_id: int) -> Region:
    return get_or_404(Region, region_id, "region")


def ola_targets(region_id: int) -> dict[str, OlaTarget]:
    return {t.priority: t for t in db.session.scalars(select(OlaTarget).where(OlaTarget.region_id == region_id))}


def save_region(region_id: int | None, data: Form) -> Region:
    region = None if region_id is None else get_or_404(Region, region_id, "region")
    fields = Fields(data)
    name = fields.text("name", required=True, max_length=100)
    slug = fields.text("slug", required=True, max_length=63).lower()
    if slug and not clients.SLUG_RE.match(slug):
        fields.error("slug", "Use 2-63 lowercase letters, digits and dashes.")
    elif slug and db.session.scalar(select(Region.id).where(Region.slug == slug,
                                                             Region.id != (region.id if region else -1))):
        fields.error("slug", f"A region with slug {slug!r} exists.")
    order = fields.number("chain_order", low=0, high=1000, required=True)
    handoff = fields.text("handoff_policy", max_length=16) or "keep"
    if handoff not in HANDOFF_POLICIES:
        fields.error("handoff_policy", f"One of {', '.join(HANDOFF_POLICIES)}.")
    shift_calendar = calendar_values(fields)
    ola = {p: (fields.number(f"ola_{p}_first_response", low=1), fields.number(f"ola_{p}_resolution", low=1))
           for p in PRIORITIES}
    fields.check()
    if region is None:
        region = Region(calendar=Calendar(name=f"{name} shifts"))
    region.name, region.slug, region.chain_order = name, slug, order
    region.handoff_policy, region.active = handoff, fields.flag("active")
    apply_calendar(region.calendar, shift_calendar)
    db.session.add(region)
    db.session.flush()
    existing = ola_targets(region.id)
    for priority, (first, resolution) in ola.items():
        row = existing.get(priority)
        if first is None and resolution is None:
            if row is not None:
                db.session.delete(row)
            continue
        row = row or OlaTarget(region_id=region.id, priority=priority)
        row.first_response_minutes, row.resolution_minutes = first, resolution
        db.session.add(row)
    commit_change("region saved", region=region.slug)
    return region
