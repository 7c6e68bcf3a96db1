"""Whatever order mail arrives in, every message of one conversation ends on one ticket:
a message whose Message-ID is named by mail filed before it joins that mail's ticket, and
two tickets that turn out to be one conversation are merged (the ordinary merge)."""

from __future__ import annotations

import mailbox
import random

import pytest
from sqlalchemy import select

from helpdesk.models import Event, Message, Ticket
from tests.factories import auth
from tests.mail_helpers import make_mail, make_mail_client, post_mail


def mail(name: str, *, parent: str | None = None, refs: list[str] | None = None, subject: str = "Printer on fire",
         sender: str = "Alice Customer <alice@customer.example>") -> bytes:
    return make_mail(("Re: " if parent or refs else "") + subject, f"Message {name}.\n",
                     message_id=f"<{name}@customer.example>", sender=sender,
                     in_reply_to=f"<{parent}@customer.example>" if parent else None,
                     references=" ".join(f"<{r}@customer.example>" for r in refs) if refs else None)


def ticket_of(db, name: str) -> int:
    return db.session.scalar(select(Message.ticket_id).where(Message.message_id_header == f"<{name}@customer.example>"))


def live_ticket_of(db, name: str) -> int:
    ticket = db.session.get(Ticket, ticket_of(db, name))
    while ticket.merged_into_id is not None:
        ticket = db.session.get(Ticket, ticket.merged_into_id)
    return ticket.id


def open_tickets(db, client_id: int) -> list[Ticket]:
    return db.session.scalars(select(Ticket).where(Ticket.client_id == client_id,
                                                   Ticket.merged_into_id.is_(None))).all()


def test_the_original_arriving_after_its_reply_joins_the_replys_ticket(client, db):
    acme = make_mail_client("acme")
    reply = post_mail(client, acme, mail("r1", parent="o", refs=["o"])).get_json()
    original = post_mail(client, acme, mail("o", subject="Printer on fire")).get_json()
    assert original["outcome"] == "appended" and original["ticket_id"] == reply["ticket_id"]
    assert len(open_tickets(db, acme.id)) == 1


def test_a_thread_arriving_backwards_is_one_ticket(client, db):
    acme = make_mail_client("acme")
    chain = ["o", "r1", "r2", "r3"]
    for depth in reversed(range(len(chain))):
        post_mail(client, acme, mail(chain[depth], parent=chain[depth - 1] if depth else None,
                                     refs=chain[:depth] or None))
    assert {ticket_of(db, name) for name in chain} == {open_tickets(db, acme.id)[0].id}
    assert len(open_tickets(db, acme.id)) == 1


def test_two_replies_to_a_message_we_never_received_find_each_other(client, db):
    acme = make_mail_client("acme")
    first = post_mail(client, acme, mail("s1", parent="lost", refs=["lost"])).get_json()
    second = post_mail(client, acme, mail("s2", parent="lost", refs=["lost"])).get_json()
    assert second["ticket_id"] == first["ticket_id"]


def test_a_message_that_ties_two_tickets_together_merges_them_with_the_usual_merge(client, db):
    acme = make_mail_client("acme")
    # r2 names only r1 (no References), so it and the original start separate tickets...
    r2 = post_mail(client, acme, mail("r2", parent="r1")).get_json()
    original = post_mail(client, acme, mail("o")).get_json()
    assert r2["ticket_id"] != original["ticket_id"] and len(open_tickets(db, acme.id)) == 2
    # ...until r1 arrives: it answers the original and is named by r2. One conversation, one ticket.
    r1 = post_mail(client, acme, mail("r1", parent="o", refs=["o"])).get_json()
    db.session.expire_all()
    (kept,) = open_tickets(db, acme.id)
    older, younger = sorted([r2["ticket_id"], original["ticket_id"]])
    assert kept.id == older == r1["ticket_id"]
    assert {live_ticket_of(db, name) for name in ("o", "r1", "r2")} == {older}
    merged = db.session.get(Ticket, younger)
    assert merged.merged_into_id == older and merged.status == "closed"
    merge_events = db.session.scalars(select(Event).where(Event.type == "ticket.merged")).all()
    assert {e.ticket_id for e in merge_events} == {older, younger}
    assert all("the same email conversation" in e.data["reason"] for e in merge_events)
    # The client's view: the kept ticket answers with the whole conversation's messages.
    view = client.get(f"/api/v1/tickets/{older}", headers=auth(acme.test_api_key)).get_json()
    assert {m["message_id"] for m in view["messages"] if m["kind"] == "inbound"} >= {"<r1@customer.example>"}
    # Later mail on the merged ticket's thread files into the kept one.
    later = post_mail(client, acme, mail("r3", parent="r2", refs=["o", "r1", "r2"])).get_json()
    assert later["ticket_id"] == older


def test_threading_backwards_never_crosses_to_another_client(client, db):
    acme = make_mail_client("acme")
    globex = make_mail_client("globex", skip_region=True)
    acme_reply = post_mail(client, acme, mail("shared-r1", parent="shared-o")).get_json()
    globex_original = post_mail(client, globex, mail("shared-o")).get_json()
    assert globex_original["outcome"] == "created"
    assert db.session.get(Ticket, globex_original["ticket_id"]).client_id == globex.id
    assert db.session.get(Ticket, acme_reply["ticket_id"]).client_id == acme.id


def _threads(count: int, depth: int) -> list[list[tuple[str, bytes]]]:
    conversations = []
    for t in range(count):
        names = [f"t{t}-m{d}" for d in range(depth)]
        conversations.append([
            (name, mail(name, parent=names[d - 1] if d else None,
                        # every third thread names only its parent, as some mail programs do
                        refs=None if t % 3 == 0 else names[:d] or None,
                        subject=f"Order {t}", sender=f"C{t} <c{t}@customer.example>"))
            for d, name in enumerate(names)])
    return conversations


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_mbox_imported_in_any_order_threads_every_conversation_onto_one_ticket(app, db, tmp_path, seed):
    acme = make_mail_client("acme")
    conversations = _threads(12, 4)
    messages = [m for conversation in conversations for m in conversation]
    random.Random(seed).shuffle(messages)
    box = mailbox.mbox(str(tmp_path / "export.mbox"))
    for _, raw in messages:
        box.add(raw)
    box.flush()
    result = app.test_cli_runner().invoke(args=["helpdesk", "import-mail", "--client", "acme",
                                                str(tmp_path / "export.mbox")])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    tickets_per_conversation = [{live_ticket_of(db, name) for name, _ in conversation}
                                for conversation in conversations]
    assert all(len(found) == 1 for found in tickets_per_conversation), tickets_per_conversation
    assert len({next(iter(found)) for found in tickets_per_conversation}) == len(conversations)
    assert len(open_tickets(db, acme.id)) == len(conversations)
