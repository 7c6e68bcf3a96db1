"""Admin pages for client companies (contract, SLA policies, secrets) and business calendars.

Routes live on the admin blueprint (admins only). A form that does not validate is
shown again with a message next to each field and status 400; nothing is saved.
Secrets (a new API key, a rotated webhook secret) are shown once, in the answer to
the POST that made them, and never stored in the session or shown again.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from helpdesk.admin import calendars as admin_calendars
from helpdesk.admin import clients as admin_clients
from helpdesk.admin import regions as admin_regions
from helpdesk.client.models import Client, SupportAddress
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.routing.models import Calendar
from helpdesk.sla.models import PRIORITIES
from helpdesk.tickets.models import CHANNELS
from helpdesk.web.admin.base import COMMON_ZONES, FormView, bp, is_post, posted

SLA_TARGETS = (("first_response", "First response"), ("next_response", "Next response"),
               ("resolution", "Resolution"))


def _client_defaults() -> FormView:
    return FormView({"active": True, "channels": list(CHANNELS), "languages": "en", "csat_enabled": True,
                     "auto_ack_enabled": True, "default_phone_region": "US", "timezone": "UTC",
                     "calendar_id": "new"})


def _client_view(client: Client) -> FormView:
    addresses = sorted(db.session.scalars(select(SupportAddress).where(SupportAddress.client_id == client.id)),
                       key=lambda a: (not a.is_default, a.id))
    values: dict[str, Any] = {
        "name": client.name, "slug": client.slug, "ticket_prefix": client.ticket_prefix, "active": client.active,
        "channels": client.channels or [], "languages": " ".join(client.languages or []),
        "default_language": client.default_language, "csat_enabled": client.csat_enabled,
        "auto_ack_enabled": client.auto_ack_enabled, "auto_ack_body": client.auto_ack_body,
        "default_phone_region": client.default_phone_region, "retention_days": client.retention_days,
        "allowed_regions": [r.id for r in client.allowed_regions], "calendar_id": client.calendar_id,
        "support_addresses": "\n".join(a.email for a in addresses),
        "chat_allowed_origins": "\n".join(client.chat_allowed_origins or []),
    }
    for priority, policy in admin_clients.sla_policies(client.id).items():
        for target, _ in SLA_TARGETS:
            values[f"sla_{priority}_{target}"] = getattr(policy, f"{target}_minutes")
        values[f"sla_{priority}_business_hours"] = policy.business_hours
        values[f"sla_{priority}_warning"] = policy.warning_percent
    return FormView(values)


def _client_form(client: Client | None, view: FormView, errors: dict | None = None, message: str | None = None,
                 status: int = 200):
    return render_template("admin/client_form.html", client=client, f=view, errors=errors or {},
                           message=message, channels=CHANNELS, priorities=PRIORITIES, sla_targets=SLA_TARGETS,
                           regions=admin_regions.all_regions(), calendars=admin_calendars.all_calendars(),
                           zones=COMMON_ZONES), status


@bp.get("/clients")
def clients():
    return render_template("admin/clients.html", clients=admin_clients.all_clients())


@bp.route("/clients/new", methods=["GET", "POST"])
def new_client():
    if not is_post():
        return _client_form(None, _client_defaults())
    try:
        saved = admin_clients.save_client(None, posted())
    except (ValidationFailed, Conflict) as error:
        return _client_form(None, FormView.posted(), error.details, error.message, 400)
    flash(f"Client company {saved.client.name} created.", "ok")
    return _secrets_page(saved.client, shown=("API key", saved.api_key))


@bp.route("/clients/<int:client_id>", methods=["GET", "POST"])
def edit_client(client_id: int):
    client = admin_clients.get_client(client_id)
    if not is_post():
        return _client_form(client, _client_view(client))
    try:
        admin_clients.save_client(client.id, posted())
    except (ValidationFailed, Conflict) as error:
        return _client_form(client, FormView.posted(), error.details, error.message, 400)
    flash(f"Client company {client.name} saved.", "ok")
    return redirect(url_for("admin.edit_client", client_id=client.id))


# --- secrets --------------------------------------------------------------------------

def _secrets_page(client: Client, *, shown: tuple[str, str] | None = None, errors: dict | None = None,
                  message: str | None = None, status: int = 200):
    return render_template("admin/client_secrets.html", client=client, keys=admin_clients.api_keys(client.id),
                           shown=shown, errors=errors or {}, message=message, f=FormView.posted()), status


@bp.get("/clients/<int:client_id>/secrets")
def client_secrets(client_id: int):
    return _secrets_page(admin_clients.get_client(client_id))


@bp.post("/clients/<int:client_id>/api-keys")
def create_api_key(client_id: int):
    client = admin_clients.get_client(client_id)
    try:
        key = admin_clients.create_api_key(client.id, posted())
    except ValidationFailed as error:
        return _secrets_page(client, errors=error.details, message=error.message, status=400)
    return _secrets_page(client, shown=("API key", key))


@bp.post("/clients/<int:client_id>/api-keys/<int:key_id>/revoke")
def revoke_api_key(client_id: int, key_id: int):
    admin_clients.revoke_api_key(admin_clients.get_client(client_id).id, key_id)
    flash("API key revoked; it no longer works.", "ok")
    return redirect(url_for("admin.client_secrets", client_id=client_id))


@bp.post("/clients/<int:client_id>/webhook-secret")
def rotate_webhook_secret(client_id: int):
    client = admin_clients.get_client(client_id)
    return _secrets_page(client, shown=("Inbound webhook secret", admin_clients.rotate_webhook_secret(client.id)))


@bp.post("/clients/<int:client_id>/provider-secrets")
def provider_secrets(client_id: int):
    client = admin_clients.get_client(client_id)
    try:
        admin_clients.set_provider_secrets(client.id, posted())
    except (ValidationFailed, Conflict) as error:
        return _secrets_page(client, errors=error.details, message=error.message, status=400)
    flash("Provider credentials saved.", "ok")
    return redirect(url_for("admin.client_secrets", client_id=client.id))


# --- calendars ------------------------------------------------------------------------

def _calendar_view(calendar: Calendar | None) -> FormView:
    if calendar is None:
        return FormView({"timezone": "UTC", "weekly_hours": admin_calendars.format_weekly_hours(
            {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")})})
    return FormView({"name": calendar.name, "timezone": calendar.timezone,
                     "weekly_hours": admin_calendars.format_weekly_hours(calendar.weekly_hours),
                     "holiday_country": calendar.holiday_country, "holiday_subdivision": calendar.holiday_subdivision,
                     "around_the_clock": calendar.around_the_clock,
                     "closures": admin_calendars.format_closures(calendar)})


def _calendar_form(calendar: Calendar | None, view: FormView, errors: dict | None = None,
                   message: str | None = None, status: int = 200):
    return render_template("admin/calendar_form.html", calendar=calendar, f=view, errors=errors or {},
                           message=message), status


@bp.get("/calendars")
def calendars():
    return render_template("admin/calendars.html", calendars=admin_calendars.all_calendars())


@bp.route("/calendars/new", methods=["GET", "POST"])
def new_calendar():
    if not is_post():
        return _calendar_form(None, _calendar_view(None))
    try:
        calendar = admin_calendars.save_calendar(None, posted())
    except ValidationFailed as error:
        return _calendar_form(None, FormView.posted(), error.details, error.message, 400)
    flash(f"Calendar {calendar.name} created.", "ok")
    return redirect(url_for("admin.edit_calendar", calendar_id=calendar.id))


@bp.route("/calendars/<int:calendar_id>", methods=["GET", "POST"])
def edit_calendar(calendar_id: int):
    calendar = admin_calendars.get_calendar(calendar_id)
    if not is_post():
        return _calendar_form(calendar, _calendar_view(calendar))
    try:
        admin_calendars.save_calendar(calendar.id, posted())
    except ValidationFailed as error:
        return _calendar_form(calendar, FormView.posted(), error.details, error.message, 400)
    flash(f"Calendar {calendar.name} saved.", "ok")
    return redirect(url_for("admin.edit_calendar", calendar_id=calendar.id))

