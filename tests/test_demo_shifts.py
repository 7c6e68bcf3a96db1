"""The demo is a 24/7 BPO: whatever the day (weekends and public holidays too), a region is on shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.admin import demo
from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.routing import regions as routing

WEEKS = [
    datetime(2027, 1, 4, tzinfo=UTC),    # winter: Warsaw on CET
    datetime(2027, 7, 5, tzinfo=UTC),    # summer: Warsaw on CEST
    datetime(2026, 12, 21, tzinfo=UTC),  # Christmas week: holidays in all three countries
    datetime(2027, 3, 22, tzinfo=UTC),   # the week Europe changes its clocks
]


@pytest.fixture
def seeded(app):
    assert demo.seed(ticket_count=0)["seeded"]


@pytest.mark.parametrize("monday", WEEKS, ids=lambda d: d.date().isoformat())
def test_every_half_hour_of_the_week_some_demo_region_is_on_shift(seeded, monday):
    gaps = [moment for step in range(7 * 48)
            if not demo.regions_on_shift(moment := monday + timedelta(minutes=30 * step))]
    assert gaps == []


def test_on_a_saturday_the_chat_widget_offers_live_chat_and_routing_has_a_region(seeded):
    saturday_night_utc = datetime(2027, 1, 9, 23, 30, tzinfo=UTC)
    on_shift = demo.regions_on_shift(saturday_night_utc)
    assert on_shift == ["Manila"]  # Sunday 07:30 in Manila
    acme = db.session.scalar(db.select(Client).where(Client.slug == "acme"))
    region = routing.initial_region(acme.id, saturday_night_utc)
    assert region is not None and routing.is_on_shift(region, saturday_night_utc)


def test_the_shifts_follow_the_sun_in_chain_order(seeded):
    tuesday = datetime(2027, 1, 5, tzinfo=UTC)
    assert demo.regions_on_shift(tuesday + timedelta(hours=3)) == ["Manila"]
    assert demo.regions_on_shift(tuesday + timedelta(hours=10)) == ["Warsaw"]
    assert demo.regions_on_shift(tuesday + timedelta(hours=15)) == ["Warsaw", "Bogotá"]
    assert demo.regions_on_shift(tuesday + timedelta(hours=20)) == ["Bogotá"]
