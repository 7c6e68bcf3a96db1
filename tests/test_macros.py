"""Macros through the staff API: placeholders filled, actions applied and recorded, client scoping."""

from __future__ import annotations

import pytest

from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.models import Client, Event, Macro, Ticket
from helpdesk.tickets import macros
from tests import factories
from tests.factories import auth


@pytest.fixture
def acme(client):
    client_id, key = factories.make_client("acme", name="Acme Retail")
    response = client.post("/api/v1/tickets", headers=auth(key), json={
        "subject": "Parcel <b>late</b>", "body": "Where is it?", "tags": ["delivery"],
        "contact": {"name": "Maria <img src=x onerror=alert(1)> Lopez", "email": "maria@example.com"}})
    assert response.status_code == 201, response.json
    return client_id, response.json["id"]


def _staff(client, login, email: str = "ana@helpdesk.test", assigned: int | None = None, **kwargs) -> str:
    agent = factories.make_agent(email, name="Ana Reyes", **kwargs)
    if assigned is not None:
        db.session.execute(db.update(Ticket).where(Ticket.id == assigned).values(assignee_id=agent.id, status="open"))
        db.session.commit()
    login(email)
    return factories.csrf_token(client.get("/agent").get_data(as_text=True))


def test_macro_fills_placeholders_and_applies_its_actions_once(client, login, acme):
    client_id, ticket_id = acme
    token = _staff(client, login, assigned=ticket_id)
    macro = macros.create(client_id, "Ask for order number",
                          "Hi {{contact.first_name}}, about {{ticket.reference}} ({{client.name}}): "
                          "could you send the order number? {{agent.first_name}}",
                          {"status": "pending", "priority": "high", "add_tags": ["needs-info"],
                           "remove_tags": ["delivery"]})

    listed = client.get(f"/agent/api/tickets/{ticket_id}/macros").get_json()["macros"]
    assert [m["name"] for m in listed] == ["Ask for order number"]
    assert listed[0]["preview"].startswith("Hi Maria, about ACME-")

    response = client.post(f"/agent/api/tickets/{ticket_id}/macros/{macro.id}/apply",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.json
    body = response.get_json()
    assert body["body"].endswith("could you send the order number? Ana")
    # The contact's name is data, not markup: it comes back as text for the page to escape.
    assert "Maria" in body["body"] and body["unknown_placeholders"] == []
    assert body["changes"] == {"status": ["open", "pending"], "priority": ["normal", "high"],
                               "tags": [["delivery"], ["needs-info"]]}
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    assert (ticket.status, ticket.priority, ticket.tags) == ("pending", "high", ["needs-info"])
    assert ticket.sla_paused_at is not None  # pending stops the SLA clock, as any status change does
    (event,) = db.session.scalars(db.select(Event).where(Event.ticket_id == ticket_id,
                                                         Event.type == "ticket.updated")).all()
    assert event.actor_type == "agent"
    # Applying it again changes nothing more and records nothing more.
    again = client.post(f"/agent/api/tickets/{ticket_id}/macros/{macro.id}/apply", headers={"X-CSRFToken": token})
    assert again.get_json()["changes"] == {}
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(
        Event.ticket_id == ticket_id, Event.type == "ticket.updated")) == 1


def test_unknown_placeholders_are_refused_on_save_and_shown_on_use(client, login, acme):
    client_id, ticket_id = acme
    with pytest.raises(ValidationFailed) as refused:
        macros.create(client_id, "Typo", "Hi {{contact.frist_name}}", {"status": "sideways"})
    assert set(refused.value.details) == {"body", "actions"}
    _staff(client, login)
    legacy = Macro(client_id=client_id, name="Old", body="Hi {{contact.frist_name}}", actions={})
    db.session.add(legacy)
    db.session.commit()
    preview = client.get(f"/agent/api/tickets/{ticket_id}/macros").get_json()["macros"][0]
    assert preview["preview"] == "Hi {{contact.frist_name}}"
    assert preview["unknown_placeholders"] == ["contact.frist_name"]


def test_macros_of_another_client_are_neither_listed_nor_usable(client, login, acme):
    client_id, ticket_id = acme
    other_id, _ = factories.make_client("bolt")
    theirs = macros.create(other_id, "Bolt only", "Bolt says hi", {"status": "solved"})
    shared = macros.create(None, "Thanks", "Thank you, {{contact.name}}!")
    token = _staff(client, login, assigned=ticket_id)
    listed = client.get(f"/agent/api/tickets/{ticket_id}/macros").get_json()["macros"]
    assert [m["id"] for m in listed] == [shared.id]
    refused = client.post(f"/agent/api/tickets/{ticket_id}/macros/{theirs.id}/apply", headers={"X-CSRFToken": token})
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_found"
    assert db.session.get(Ticket, ticket_id).status != "solved"


def test_an_agent_not_entitled_for_the_client_gets_404(client, login, acme):
    client_id, ticket_id = acme
    other_id, _ = factories.make_client("bolt")
    macro = macros.create(None, "Thanks", "Thank you!")
    agent = factories.make_agent("piotr@helpdesk.test", all_clients=False)
    agent.clients = [db.session.get(Client, other_id)]
    db.session.commit()
    login("piotr@helpdesk.test")
    token = factories.csrf_token(client.get("/agent").get_data(as_text=True))
    assert client.get(f"/agent/api/tickets/{ticket_id}/macros").status_code == 404
    response = client.post(f"/agent/api/tickets/{ticket_id}/macros/{macro.id}/apply", headers={"X-CSRFToken": token})
    assert response.status_code == 404


def test_apply_without_csrf_token_is_refused(client, login, acme):
    _, ticket_id = acme
    macro = macros.create(None, "Thanks", "Thank you!", {"status": "solved"})
    _staff(client, login, assigned=ticket_id)
    response = client.post(f"/agent/api/tickets/{ticket_id}/macros/{macro.id}/apply")
    assert response.status_code == 400 and "error" in response.get_json()
    assert db.session.get(Ticket, ticket_id).status != "solved"


def test_an_agent_applies_macros_only_to_their_own_tickets(client, login, acme):
    _, ticket_id = acme
    macro = macros.create(None, "Solve", "Solved, thanks!", {"status": "solved"})
    token = _staff(client, login)  # the ticket waits in the queue, not assigned to Ana
    response = client.post(f"/agent/api/tickets/{ticket_id}/macros/{macro.id}/apply", headers={"X-CSRFToken": token})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert db.session.get(Ticket, ticket_id).status != "solved"
