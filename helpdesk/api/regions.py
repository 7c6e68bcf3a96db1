"""/api/v1/regions: the follow-the-sun regions that may handle the calling client's tickets."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import g
from sqlalchemy import select

from helpdesk.api.auth import api_blueprint
from helpdesk.api.schemas import RegionList
from helpdesk.extensions import db
from helpdesk.platform.db import utcnow
from helpdesk.routing import regions as routing
from helpdesk.routing.calendars import next_change
from helpdesk.routing.models import Region

blp = api_blueprint("regions", __name__, "/api/v1/regions", "Support regions serving the calling client")


@blp.get("")
@blp.response(200, RegionList)
def list_regions():
    """Regions the client's contract allows (all active ones when it names none), in follow-the-sun order,
    each with its local time and whether it is on shift now."""
    regions = routing.eligible_regions(g.api_client_id)
    names = dict(db.session.execute(
        select(Region.id, Region.name).where(Region.id.in_([r.id for r in regions]))).tuples().all())
    now = utcnow()
    return {"data": [{
        "id": region.id,
        "slug": region.slug,
        "name": names.get(region.id, region.slug),
        "timezone": region.calendar.timezone,
        "local_time": now.astimezone(ZoneInfo(region.calendar.timezone)),
        "on_shift": routing.is_on_shift(region, now),
        "next_change": next_change(region.calendar, now),
    } for region in regions]}
