"""`flask helpdesk import-mail`: .eml files, directories, mbox files and maildirs, with a summary."""

from __future__ import annotations

import json
import mailbox

from sqlalchemy import func, select

from helpdesk.channels.email import ingest as email_ingest
from helpdesk.channels.email.outbound import SEND_TASK
from helpdesk.models import InboundRaw, Message, Outbox, Ticket
from tests.mail_helpers import make_mail, make_mail_client


def thread(n: int) -> list[bytes]:
    root = f"<thread-{n}@customer.example>"
    return [
        make_mail(f"Question {n}", message_id=root),
        make_mail(f"Re: Question {n}", "More detail", message_id=f"<thread-{n}-r1@customer.example>",
                  in_reply_to=root, references=root),
    ]


def test_import_eml_dir_mbox_and_maildir(app, db, tmp_path):
    acme = make_mail_client("acme")
    emls = tmp_path / "exports" / "eml"
    emls.mkdir(parents=True)
    for index, raw in enumerate(thread(1)):
        (emls / f"{index}.eml").write_bytes(raw)
    (emls / "notes.txt").write_text("not mail, skipped because of its name")
    box = mailbox.mbox(str(tmp_path / "archive.mbox"))
    for raw in thread(2):
        box.add(raw)
    box.flush()
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    for raw in thread(3):
        maildir.add(raw)
    single = tmp_path / "single.eml"
    single.write_bytes(b"\x00\x01 not a message at all")
    duplicate = tmp_path / "again.eml"
    duplicate.write_bytes(thread(1)[0])

    runner = app.test_cli_runner()
    result = runner.invoke(args=["helpdesk", "import-mail", "--client", "acme", str(tmp_path / "exports"),
                                 str(tmp_path / "archive.mbox"), str(tmp_path / "Maildir"), str(single),
                                 str(duplicate)])
    assert result.exit_code == 0, result.output
    assert "Importing mail" in result.output
    assert result.output.strip().splitlines()[-1] == (
        "Imported 8 messages: 3 tickets created, 3 messages appended, 1 duplicates, 1 quarantined")
    subjects = db.session.scalars(select(Ticket.subject).where(Ticket.client_id == acme.id).order_by(Ticket.id))
    assert list(subjects) == ["Question 1", "Question 2", "Question 3"]
    for ticket in db.session.scalars(select(Ticket)):
        assert [m.kind for m in ticket.messages] == ["inbound", "inbound"]
    # imported mail is filed, never acknowledged
    assert db.session.scalar(select(func.count()).select_from(Outbox).where(Outbox.task == SEND_TASK)) == 0
    assert db.session.scalar(select(func.count()).select_from(InboundRaw)) == 8

    again = runner.invoke(args=["helpdesk", "import-mail", "--client", "acme", str(tmp_path / "archive.mbox")])
    assert again.output.strip().splitlines()[-1].startswith("Imported 2 messages: 0 tickets created, "
                                                            "0 messages appended, 2 duplicates")
    assert db.session.scalar(select(func.count()).select_from(Message)) == 6


def test_import_unknown_client_is_a_clear_error(app, tmp_path):
    (tmp_path / "a.eml").write_bytes(make_mail())
    result = app.test_cli_runner().invoke(args=["helpdesk", "import-mail", "--client", "ghost",
                                                str(tmp_path / "a.eml")])
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "not_found"


def test_inbound_command_lists_and_reprocesses(app, db):
    acme = make_mail_client("acme")
    bad = email_ingest.receive(acme.id, b"", "http")
    runner = app.test_cli_runner()
    listed = [json.loads(line) for line in runner.invoke(args=["helpdesk", "inbound"]).output.splitlines()]
    assert [(item["id"], item["reason"]) for item in listed] == [(bad.raw_id, "empty message")]
    again = runner.invoke(args=["helpdesk", "inbound", "--reprocess", str(bad.raw_id)])
    assert json.loads(again.output)["outcome"] == "quarantined"
