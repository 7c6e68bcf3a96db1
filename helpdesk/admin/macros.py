"""Macros as admins set them up: canned replies with placeholders and ticket actions, global or per client."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from helpdesk.admin.forms import Fields, Form, as_id, commit_change, get_or_404
from helpdesk.client.models import Client
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.tickets import macros
from helpdesk.tickets.models import Macro


def all_macros() -> list[Macro]:
    return list(db.session.scalars(select(Macro).order_by(Macro.client_id.is_not(None), Macro.name, Macro.id)))


def get_macro(macro_id: int) -> Macro:
    return get_or_404(Macro, macro_id, "macro")


def _macro_values(fields: Fields) -> tuple[int | None, str, str, dict]:
    name = fields.text("name", required=True)
    body = "".join(fields.raw("body")[:1]).replace("\r\n", "\n")
    if len(body) > 20_000:
        fields.error("body", "At most 20000 characters.")
    client_choice = fields.text("client_id", max_length=12)
    client_id = None
    if client_choice:
        if as_id(client_choice) is None or db.session.get(Client, as_id(client_choice)) is None:
            fields.error("client_id", "Unknown client company.")
        else:
            client_id = as_id(client_choice)
    actions: dict[str, Any] = {}
    for key in ("status", "priority"):
        value = fields.text(key, max_length=16)
        if value:
            actions[key] = value
    for key in ("add_tags", "remove_tags"):
        tags = fields.words(key)
        if tags:
            actions[key] = tags
    try:
        actions = macros.validate(body, actions)
    except ValidationFailed as error:
        for name_, messages in error.details.items():
            for message in messages:
                fields.error(name_, message)
    if not body.strip() and not actions:
        fields.error("body", "Give a reply text or at least one action.")
    return client_id, name, body, actions


def save_macro(macro_id: int | None, data: Form) -> Macro:
    fields = Fields(data)
    client_id, name, body, actions = _macro_values(fields)
    fields.check()
    if macro_id is None:
        macro = macros.create(client_id, name, body, actions)
    else:
        macro = get_macro(macro_id)
        macro.client_id, macro.name, macro.body, macro.actions = client_id, name, body, actions
    commit_change("macro saved", macro=macro.name, client_id=macro.client_id)
    return macro


def delete_macro(macro_id: int) -> None:
    db.session.execute(delete(Macro).where(Macro.id == get_macro(macro_id).id))
    commit_change("macro deleted", macro_id=macro_id)
