"""Admin pages for regions and shifts (with OLA targets), agents and macros.

Same rules as ``setup``: admins only, a form that does not validate comes back
with messages next to its fields and status 400, and nothing is saved.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from helpdesk.admin import agents as admin_agents
from helpdesk.admin import calendars as admin_calendars
from helpdesk.admin import clients as admin_clients
from helpdesk.admin import macros as admin_macros
from helpdesk.admin import regions as admin_regions
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.routing.models import Region
from helpdesk.sla.models import PRIORITIES
from helpdesk.staff.models import ROLES, Agent, default_capacity
from helpdesk.tickets.macros import MACRO_STATUSES, PLACEHOLDERS
from helpdesk.tickets.models import CHANNELS, Macro
from helpdesk.web.admin.base import COMMON_ZONES, FormView, bp, is_post, posted

HANDOFF_LABELS = (("keep", "Keep: agents' open tickets stay assigned at shift end"),
                  ("handoff", "Hand off: open tickets move to the next region at shift end"))



# --- regions ------------------------------------------------------------------------

def _region_view(region: Region | None) -> FormView:
    if region is None:
        return FormView({"active": True, "timezone": "UTC", "chain_order": len(admin_regions.all_regions()) + 1,
                         "handoff_policy": "keep",
                         "weekly_hours": admin_calendars.format_weekly_hours(
                             {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")})})
    calendar = region.calendar
    values = {"name": region.name, "slug": region.slug, "chain_order": region.chain_order,
              "handoff_policy": region.handoff_policy, "active": region.active,
              "timezone": calendar.timezone, "weekly_hours": admin_calendars.format_weekly_hours(calendar.weekly_hours),
              "holiday_country": calendar.holiday_country, "holiday_subdivision": calendar.holiday_subdivision,
              "around_the_clock": calendar.around_the_clock, "closures": admin_calendars.format_closures(calendar)}
    for priority, target in admin_regions.ola_targets(region.id).items():
        values[f"ola_{priority}_first_response"] = target.first_response_minutes
        values[f"ola_{priority}_resolution"] = target.resolution_minutes
    return FormView(values)


def _region_form(region: Region | None, view: FormView, errors: dict | None = None, message: str | None = None,
                 status: int = 200):
    return render_template("admin/region_form.html", region=region, f=view, errors=errors or {}, message=message,
                           priorities=PRIORITIES, handoff_labels=HANDOFF_LABELS, zones=COMMON_ZONES), status


@bp.get("/regions")
def regions():
    return render_template("admin/regions.html", regions=admin_regions.all_regions())


@bp.route("/regions/new", methods=["GET", "POST"])
def new_region():
    if not is_post():
        return _region_form(None, _region_view(None))
    try:
        region = admin_regions.save_region(None, posted())
    except (ValidationFailed, Conflict) as error:
        return _region_form(None, FormView.posted(), error.details, error.message, 400)
    flash(f"Region {region.name} created.", "ok")
    return redirect(url_for("admin.regions"))


@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
def edit_region(region_id: int):
    region = admin_regions.get_region(region_id)
    if not is_post():
        return _region_form(region, _region_view(region))
    try:
        admin_regions.save_region(region.id, posted())
    except (ValidationFailed, Conflict) as error:
        return _region_form(region, FormView.posted(), error.details, error.message, 400)
    flash(f"Region {region.name} saved.", "ok")
    return redirect(url_for("admin.regions"))


# --- agents -------------------------------------------------------------------------

def _agent_view(agent: Agent | None) -> FormView:
    if agent is None:
        values = {"role": "agent", "timezone": "UTC", "languages": "en", "channels": list(CHANNELS),
                  "active": True, "all_clients": True}
        values.update({f"capacity_{c}": n for c, n in default_capacity().items()})
        return FormView(values)
    values = {"email": agent.email, "name": agent.name, "role": agent.role, "timezone": agent.timezone,
              "region_id": agent.region_id, "languages": " ".join(agent.languages or []),
              "channels": agent.channels or [], "all_clients": agent.all_clients, "active": agent.active,
              "clients": [c.id for c in agent.clients]}
    values.update({f"capacity_{c}": (agent.capacity or {}).get(c, 0) for c in CHANNELS})
    return FormView(values)


def _agent_form(agent: Agent | None, view: FormView, errors: dict | None = None, message: str | None = None,
                status: int = 200):
    return render_template("admin/agent_form.html", agent=agent, f=view, errors=errors or {}, message=message,
                           role_options=[(role, role.title()) for role in ROLES], channels=CHANNELS,
                           region_options=[("", "No region")]
                           + [(str(r.id), r.name) for r in admin_regions.all_regions()],
                           clients=admin_clients.all_clients(), zones=COMMON_ZONES), status


@bp.get("/agents")
def agents():
    return render_template("admin/agents.html", agents=admin_agents.all_agents())


@bp.route("/agents/new", methods=["GET", "POST"])
def new_agent():
    if not is_post():
        return _agent_form(None, _agent_view(None))
    try:
        agent = admin_agents.create_agent(posted())
    except (ValidationFailed, Conflict) as error:
        return _agent_form(None, FormView.posted(), error.details, error.message, 400)
    flash(f"{agent.name} ({agent.email}) can now sign in.", "ok")
    return redirect(url_for("admin.agents"))


@bp.route("/agents/<int:agent_id>", methods=["GET", "POST"])
def edit_agent(agent_id: int):
    agent = admin_agents.get_agent(agent_id)
    if not is_post():
        return _agent_form(agent, _agent_view(agent))
    try:
        admin_agents.update_agent(agent.id, posted(), acting=current_user)
    except (ValidationFailed, Conflict) as error:
        view = FormView.posted()
        view.values["email"] = [agent.email]
        return _agent_form(agent, view, error.details, error.message, 400)
    flash(f"{agent.name} saved." + ("" if agent.active else " Their sessions have ended."), "ok")
    return redirect(url_for("admin.edit_agent", agent_id=agent.id))


@bp.post("/agents/<int:agent_id>/password")
def reset_password(agent_id: int):
    agent = admin_agents.get_agent(agent_id)
    try:
        admin_agents.reset_password(agent.id, posted())
    except ValidationFailed as error:
        return _agent_form(agent, _agent_view(agent), {"new_password": error.details.get("password", [])},
                           error.message, 400)
    flash(f"New password set for {agent.name}; their other sessions have ended.", "ok")
    return redirect(url_for("admin.edit_agent", agent_id=agent.id))


# --- macros -------------------------------------------------------------------------

def _macro_view(macro: Macro | None) -> FormView:
    if macro is None:
        return FormView({})
    actions = macro.actions or {}
    return FormView({"name": macro.name, "body": macro.body, "client_id": macro.client_id,
                     "status": actions.get("status"), "priority": actions.get("priority"),
                     "add_tags": " ".join(actions.get("add_tags") or []),
                     "remove_tags": " ".join(actions.get("remove_tags") or [])})


def _macro_form(macro: Macro | None, view: FormView, errors: dict | None = None, message: str | None = None,
                status: int = 200):
    return render_template("admin/macro_form.html", macro=macro, f=view, errors=errors or {}, message=message,
                           client_options=[(str(c.id), c.name) for c in admin_clients.all_clients()],
                           status_options=[(s, s) for s in MACRO_STATUSES],
                           priority_options=[(p, p) for p in PRIORITIES],
                           placeholder_hint=" ".join("{{" + name + "}}" for name in sorted(PLACEHOLDERS))), status


@bp.get("/macros")
def macros():
    clients = {c.id: c for c in admin_clients.all_clients()}
    return render_template("admin/macros.html", macros=admin_macros.all_macros(), clients=clients)


@bp.route("/macros/new", methods=["GET", "POST"])
def new_macro():
    if not is_post():
        return _macro_form(None, _macro_view(None))
    try:
        macro = admin_macros.save_macro(None, posted())
    except ValidationFailed as error:
        return _macro_form(None, FormView.posted(), error.details, error.message, 400)
    flash(f"Macro {macro.name} created.", "ok")
    return redirect(url_for("admin.macros"))


@bp.route("/macros/<int:macro_id>", methods=["GET", "POST"])
def edit_macro(macro_id: int):
    macro = admin_macros.get_macro(macro_id)
    if not is_post():
        return _macro_form(macro, _macro_view(macro))
    try:
        admin_macros.save_macro(macro.id, posted())
    except ValidationFailed as error:
        return _macro_form(macro, FormView.posted(), error.details, error.message, 400)
    flash(f"Macro {macro.name} saved.", "ok")
    return redirect(url_for("admin.macros"))


@bp.post("/macros/<int:macro_id>/delete")
def delete_macro(macro_id: int):
    admin_macros.delete_macro(macro_id)
    flash("Macro deleted.", "ok")
    return redirect(url_for("admin.macros"))
