"""Phone channel: Twilio status callbacks, the generic JSON call log, CSV imports, calls logged by hand."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from helpdesk.channels import signatures
from helpdesk.client import clients
from helpdesk.models import CallLog, Contact, InboundRaw, Ticket
from tests import factories
from tests.mail_helpers import signed_headers

TOKEN = "twilio-auth-token-acme-0123456789"
CALLER = "+14155550100"
OUR_NUMBER = "+18005550199"


@pytest.fixture
def acme(app):
    factories.make_region()
    _, api_key = factories.make_client("acme")
    acme = clients.configure_phone("acme", twilio_auth_token=TOKEN, default_region="US")
    acme.test_api_key = api_key
    return acme


def callback(http, status: str, sequence: int, *, call_sid: str = "CA0001", slug: str = "acme",
             token: str = TOKEN, **extra):
    """A Twilio voice status callback as Twilio sends it: form fields and X-Twilio-Signature."""
    params = {"AccountSid": "AC0123456789abcdef0123456789abcdef", "ApiVersion": "2010-04-01",
              "CallSid": call_sid, "CallStatus": status, "Direction": "inbound", "From": CALLER,
              "Caller": CALLER, "To": OUR_NUMBER, "Called": OUR_NUMBER, "SequenceNumber": str(sequence),
              "CallbackSource": "call-progress-events", "Timestamp": "Tue, 24 Nov 2026 09:15:02 +0000", **extra}
    url = f"http://localhost/inbound/phone/{slug}/twilio"
    signature = signatures.twilio_signature(token, url, {name: [value] for name, value in params.items()})
    return http.post(f"/inbound/phone/{slug}/twilio", data=params, headers={"X-Twilio-Signature": signature})


def phone_tickets(db, client_id: int) -> list[Ticket]:
    db.session.expire_all()
    return list(db.session.scalars(select(Ticket).where(Ticket.client_id == client_id, Ticket.channel == "phone")
                                   .order_by(Ticket.id)))


def test_a_completed_call_opens_a_phone_ticket_for_the_caller_and_the_next_call_joins_it(client, db, acme):
    assert callback(client, "ringing", 0).get_json()["outcome"] == "recorded"
    assert callback(client, "in-progress", 1).get_json()["outcome"] == "recorded"
    assert phone_tickets(db, acme.id) == []
    done = callback(client, "completed", 2, CallDuration="192",
                    RecordingUrl="https://api.twilio.example/2010-04-01/Accounts/AC01/Recordings/RE01")
    assert done.status_code == 201 and done.get_json()["outcome"] == "ticket_created"
    [ticket] = phone_tickets(db, acme.id)
    assert ticket.subject == "Call from +1 415-555-0100" and ticket.priority == "normal"
    assert ticket.contact.phone == CALLER
    body = ticket.messages[0].body_text
    assert "Duration 3:12" in body and "Recordings/RE01" in body and ticket.messages[0].kind == "inbound"
    call = db.session.scalar(select(CallLog).where(CallLog.provider_call_id == "CA0001"))
    assert (call.status, call.ticket_id, call.duration_seconds) == ("completed", ticket.id, 192)

    again = callback(client, "completed", 3, call_sid="CA0002", CallDuration="30")
    assert again.get_json()["outcome"] == "ticket_updated" and again.get_json()["ticket_id"] == ticket.id
    assert len(phone_tickets(db, acme.id)) == 1
    assert db.session.scalar(select(Contact.id).where(Contact.phone == CALLER).offset(1)) is None


def test_duplicate_and_out_of_order_callbacks_end_in_the_final_state(client, db, acme):
    assert callback(client, "completed", 2, CallDuration="45").get_json()["outcome"] == "ticket_created"
    assert callback(client, "ringing", 0).get_json()["outcome"] == "late"      # arrived last, changes nothing
    assert callback(client, "in-progress", 1).get_json()["outcome"] == "late"
    assert callback(client, "completed", 2, CallDuration="45").get_json()["outcome"] == "late"  # Twilio retried
    [ticket] = phone_tickets(db, acme.id)
    assert len(ticket.messages) == 1
    call = db.session.scalar(select(CallLog))
    assert (call.status, call.last_sequence_number, call.duration_seconds) == ("completed", 2, 45)
    raws = db.session.scalars(select(InboundRaw).where(InboundRaw.channel == "phone")).all()
    assert len(raws) == 4 and all(raw.content for raw in raws)  # every callback kept as received


@pytest.mark.parametrize("status", ["no-answer", "busy", "canceled", "failed"])
def test_a_missed_call_opens_a_high_priority_call_back_ticket(client, db, acme, status):
    callback(client, "ringing", 0)
    answer = callback(client, status, 1)
    assert answer.status_code == 201 and answer.get_json()["outcome"] == "ticket_created"
    [ticket] = phone_tickets(db, acme.id)
    assert ticket.priority == "high" and "callback" in ticket.tags
    assert ticket.subject == "Call back +1 415-555-0100 (missed call)"


def test_a_recording_that_arrives_after_the_call_ended_is_kept(client, db, acme):
    callback(client, "completed", 1, CallDuration="60")
    params = {"AccountSid": "AC0123456789abcdef0123456789abcdef", "CallSid": "CA0001", "RecordingSid": "RE9",
              "RecordingUrl": "https://api.twilio.example/Recordings/RE9", "RecordingStatus": "completed",
              "RecordingDuration": "58"}
    url = "http://localhost/inbound/phone/acme/twilio"
    signature = signatures.twilio_signature(TOKEN, url, {k: [v] for k, v in params.items()})
    answer = client.post("/inbound/phone/acme/twilio", data=params, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "recorded"
    again = client.post("/inbound/phone/acme/twilio", data=params, headers={"X-Twilio-Signature": signature})
    assert again.get_json()["outcome"] == "late"  # the same recording again is old news
    call = db.session.scalar(select(CallLog))
    db.session.refresh(call)
    assert call.status == "completed" and call.recording_url.endswith("RE9")


def test_twilio_refusals(client, db, acme):
    forged = callback(client, "completed", 1, token="not-the-token")
    assert forged.status_code == 401 and forged.get_json()["error"]["code"] == "unauthorized"
    assert callback(client, "completed", 1, slug="nobody").status_code == 404
    unsigned = client.post("/inbound/phone/acme/twilio", data={"CallSid": "CA1", "CallStatus": "completed"})
    assert unsigned.status_code == 401
    bad_status = callback(client, "exploded", 1)
    assert bad_status.status_code == 422 and "CallStatus" in bad_status.get_json()["error"]["details"]
    assert phone_tickets(db, acme.id) == [] and db.session.scalar(select(CallLog)) is None


def test_another_clients_token_cannot_post_calls_here(client, db, acme):
    factories.make_client("globex")
    clients.configure_phone("globex", twilio_auth_token="globex-token-9876543210")
    assert callback(client, "completed", 1, slug="acme", token="globex-token-9876543210").status_code == 401
    assert callback(client, "completed", 1, slug="globex", token=TOKEN).status_code == 401


def post_call_log(http, client_obj, document: dict):
    raw = json.dumps(document).encode()
    headers = signed_headers(client_obj.inbound_webhook_secret, raw)
    headers["Content-Type"] = "application/json"
    return http.post(f"/inbound/phone/{client_obj.slug}", data=raw, headers=headers)


def test_generic_json_call_log(client, db, acme):
    missed = post_call_log(client, acme, {"call_id": "pbx-1", "from": "(415) 555-0100", "to": "8005550199",
                                          "status": "missed", "started_at": "2026-11-24T09:00:00+01:00"})
    assert missed.status_code == 201, missed.get_json()
    [ticket] = phone_tickets(db, acme.id)
    assert ticket.priority == "high" and ticket.contact.phone == CALLER  # national number read in region US
    answered = post_call_log(client, acme, {"call_id": "pbx-2", "from": CALLER, "status": "answered",
                                            "duration_seconds": 75})
    assert answered.get_json()["outcome"] == "ticket_updated"
    bad = post_call_log(client, acme, {"from": CALLER, "status": "teleported", "duration_seconds": -1})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["details"]) == {"call_id", "status", "duration_seconds"}
    raw = json.dumps({"call_id": "pbx-3", "status": "completed"}).encode()
    forged = signed_headers("whsec_" + "A" * 32, raw)
    assert client.post("/inbound/phone/acme", data=raw, headers=forged).status_code == 401


def test_import_calls_reports_bad_rows_by_line_and_keeps_going(app, db, acme, tmp_path):
    export = tmp_path / "calls.csv"
    export.write_text(
        "call_id,from,to,direction,status,duration_seconds,recording_url\n"
        f"c-1,{CALLER},{OUR_NUMBER},inbound,completed,61,https://pbx.example/rec/1\n"
        f"c-2,{CALLER},{OUR_NUMBER},inbound,warp,10,\n"
        f"c-3,+48225550123,{OUR_NUMBER},inbound,no-answer,,\n"
        f",{CALLER},{OUR_NUMBER},inbound,completed,5,\n"
        f"c-5,{CALLER},{OUR_NUMBER},inbound,completed,abc,\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["helpdesk", "import-calls", "--client", "acme",
                                                                str(export)])
    assert result.exit_code == 0, result.output
    assert "line 3: status" in result.stderr and "line 5: call_id" in result.stderr and "line 6:" in result.stderr
    assert result.stdout.strip().endswith("2 tickets created, 0 tickets updated, 0 already known or in progress, "
                                          "0 outbound logged; 3 bad rows")
    assert [t.priority for t in phone_tickets(db, acme.id)] == ["normal", "high"]


def test_an_agent_logs_a_call_by_hand(client, db, acme, login):
    created = client.post("/api/v1/tickets", json={"subject": "Refund"}, headers=factories.auth(acme.test_api_key))
    ticket_id = created.get_json()["id"]
    factories.make_agent("ana@helpdesk.test")
    login("ana@helpdesk.test")
    token = factories.csrf_token(client.get("/agent").get_data(as_text=True))
    answer = client.post(f"/agent/api/tickets/{ticket_id}/calls", headers={"X-CSRFToken": token},
                         json={"number": "(415) 555-0100", "duration_seconds": 125, "notes": "Promised a refund."})
    assert answer.status_code == 201, answer.get_json()
    call = answer.get_json()["call"]
    assert (call["direction"], call["to_number"], call["provider"]) == ("outbound", CALLER, "manual")
    listed = client.get(f"/agent/api/tickets/{ticket_id}/calls").get_json()["calls"]
    assert [c["id"] for c in listed] == [call["id"]]
    note = db.session.get(Ticket, ticket_id).messages[-1]
    assert note.kind == "note" and "Promised a refund." in note.body_text and "Duration 2:05" in note.body_text
    bad = client.post(f"/agent/api/tickets/{ticket_id}/calls", headers={"X-CSRFToken": token},
                      json={"number": "1", "direction": "sideways"})
    assert bad.status_code == 422


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://help.example.com/"}])
def test_behind_a_proxy_the_signature_covers_the_public_url(client, db, acme):
    params = {"CallSid": "CA77", "CallStatus": "ringing", "From": CALLER, "To": OUR_NUMBER, "Direction": "inbound"}
    as_twilio_called = "https://help.example.com/inbound/phone/acme/twilio"
    signature = signatures.twilio_signature(TOKEN, as_twilio_called, {k: [v] for k, v in params.items()})
    answer = client.post("/inbound/phone/acme/twilio", data=params, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.get_json()
    internal = signatures.twilio_signature(TOKEN, "http://localhost/inbound/phone/acme/twilio",
                                           {k: [v] for k, v in params.items()})
    assert client.post("/inbound/phone/acme/twilio", data=params,
                       headers={"X-Twilio-Signature": internal}).status_code == 401
