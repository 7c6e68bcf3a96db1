"""Threading by headers and subject token, duplicates, closed tickets and the
tenant wall: which ticket a message lands on, whatever the reply looks like."""

from kit import (
    ACME,
    ALICE,
    ANCHOR_1,
    ANCHOR_CLOSED,
    BOB,
    GLOBEX,
    GLOBEX_ANCHOR,
    OUT_ACME,
    OUT_GLOBEX,
    fixture,
    simple,
)


def reply(body: str, message_id: str, *, subject: str = "Re: Printer on fire", **kwargs) -> str:
    return simple(body, subject=subject, message_id=message_id, **kwargs)


FIXTURES = [
    fixture("in-reply-to-anchor", reply("Any update?\n", "<r1@customer.example>", in_reply_to=ANCHOR_1),
            "In-Reply-To the customer's first message", "appended", ticket="ACME-1",
            new_text_contains=["Any update?"]),
    fixture("in-reply-to-our-reply", reply("Yes I did.\n", "<r2@customer.example>", in_reply_to=OUT_ACME,
                                           references=f"{ANCHOR_1} {OUT_ACME}"),
            "In-Reply-To our outbound reply, References the whole thread", "appended", ticket="ACME-1"),
    fixture("references-only", reply("Following up.\n", "<r3@customer.example>",
                                     references=f"{ANCHOR_1} {OUT_ACME}"),
            "No In-Reply-To, only References (some webmail)", "appended", ticket="ACME-1"),
    fixture("references-unknown-parent", reply("Reply to my colleague's mail.\n", "<r4@customer.example>",
                                               in_reply_to="<never-seen@customer.example>",
                                               references=f"{OUT_ACME} <never-seen@customer.example>"),
            "Parent unknown to us, an older entry of References is ours", "appended", ticket="ACME-1"),
    fixture("in-reply-to-with-comment", reply("Comment style.\n", "<r5@customer.example>",
                                              in_reply_to=f"{ANCHOR_1} (Alice Customer's message of Tue)"),
            "In-Reply-To with a trailing comment, as old mailers write it", "appended", ticket="ACME-1"),
    fixture("in-reply-to-no-brackets", reply("Bare id.\n", "<r6@customer.example>",
                                             in_reply_to="anchor-1@customer.example"),
            "In-Reply-To without angle brackets (a broken mailer)", "appended", ticket="ACME-1"),
    fixture("upper-case-id", reply("Shouting ids.\n", "<r7@customer.example>",
                                   in_reply_to="<HD.ACME.ANCHOR-OUT@HELPDESK.TEST>"),
            "Message-ID compared without regard to case", "appended", ticket="ACME-1"),
    fixture("subject-token", reply("Token only.\n", "<r8@customer.example>", subject="Re: [#ACME-1] Printer on fire"),
            "Only the [#ACME-1] subject token", "appended", ticket="ACME-1"),
    fixture("subject-token-lower-case", reply("lower token\n", "<r9@customer.example>",
                                              subject="re: [#acme-1] printer on fire"),
            "Subject token in lower case", "appended", ticket="ACME-1"),
    fixture("subject-token-mid-subject", reply("Forwarded to my boss.\n", "<r10@customer.example>",
                                               subject="FW: AW: [#ACME-1] Printer on fire (urgent)"),
            "Token after several prefixes in other languages", "appended", ticket="ACME-1"),
    fixture("subject-token-unknown-number", reply("Which ticket?\n", "<r11@customer.example>",
                                                  subject="Re: [#ACME-999] Something"),
            "Token for a ticket that does not exist: a new ticket", "created", subject="Re: [#ACME-999] Something"),
    fixture("subject-token-other-client", reply("Wrong shop.\n", "<r12@customer.example>",
                                                subject="Re: [#GLOBEX-1] Globex shipping delay"),
            "Token of another client's ticket, sent to acme: a new acme ticket", "created"),
    fixture("forged-reference-other-client", reply("Let me in.\n", "<r13@customer.example>",
                                                   in_reply_to=OUT_GLOBEX, references=GLOBEX_ANCHOR),
            "References to globex's messages, delivered to acme: never crosses clients", "created"),
    fixture("globex-reply", reply("Still waiting for the shipment.\n", "<r14@customer.example>",
                                  subject="Re: Globex shipping delay", in_reply_to=OUT_GLOBEX,
                                  sender=f"Bob Buyer <{BOB}>", to=GLOBEX),
            "A reply delivered to globex lands on GLOBEX-1", "appended", client="globex", ticket="GLOBEX-1"),
    fixture("reply-to-closed", reply("The invoice is still wrong.\n", "<r15@customer.example>",
                                     subject="Re: Old invoice question", in_reply_to=ANCHOR_CLOSED),
            "A reply to a closed ticket opens a follow-up ticket", "created", subject="Re: Old invoice question"),
    fixture("closed-token", reply("About that old invoice.\n", "<r16@customer.example>",
                                  subject="Re: [#ACME-2] Old invoice question"),
            "The token of a closed ticket also gives a follow-up", "created"),
    fixture("duplicate-anchor", simple("My printer is on fire. Please help.\n", subject="Printer on fire",
                                       message_id=ANCHOR_1, sender=f"Alice Customer <{ALICE}>", to=ACME),
            "The first message delivered again (a retried webhook)", "duplicate"),
    fixture("duplicate-other-bytes", simple("Resent by the relay with other headers.\n", subject="Printer on fire",
                                            message_id=ANCHOR_1, extra="X-Resent-By: relay.customer.example"),
            "Same Message-ID, different bytes (a relay re-sent it): still a duplicate", "duplicate"),
    fixture("duplicate-id-other-case", simple("Case.\n", subject="Printer on fire",
                                              message_id="<Anchor-1@Customer.Example>"),
            "Same Message-ID in other letter case", "duplicate"),
    fixture("colleague-replies", reply("I am Alice's colleague; the printer is ours.\n", "<r20@customer.example>",
                                       in_reply_to=OUT_ACME, sender="Carol Colleague <carol@customer.example>"),
            "Someone else answers on the thread: appended, with their address", "appended", ticket="ACME-1",
            from_email="carol@customer.example", from_name="Carol Colleague"),
    fixture("no-message-id", """\
        From: Dave Doe <dave@customer.example>
        To: support@acme.example
        Subject: Sent from a script
        Date: Tue, 24 Nov 2026 09:00:00 +0000

        No Message-ID at all.
        """, "No Message-ID header (a script's mail): filed, deduplicated by the hash of the bytes", "created",
            text_contains=["No Message-ID at all."], from_email="dave@customer.example"),
    fixture("references-folded-many", reply("Deep thread.\n", "<r22@customer.example>", references="\n ".join(
        [ANCHOR_1] + [f"<mid-{n}@customer.example>" for n in range(30)])),
            "Thirty-one References folded over many lines, ours first", "appended", ticket="ACME-1"),
]
