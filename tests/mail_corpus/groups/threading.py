"""Which ticket a reply lands on, and which part of it is new. Threading by
In-Reply-To, by References alone (the root kept even when the header is long),
by our own outbound Message-ID, by the [#ACME-1] subject token in its spellings;
closed tickets get a follow-up, other clients' ids never cross the tenant wall,
the same Message-ID twice is a duplicate. Then the quoting styles of the common
mail programs, each of which must leave only the customer's new words in the
new text: Gmail, Outlook (both history markers), ">" quoting, German, top-posted
and inline answers."""

import textwrap
from html import escape

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
    qp,
    simple,
)

ALICE_FROM = f"Alice Customer <{ALICE}>"
OUR_SUBJECT = "Re: [#ACME-1] Printer on fire"  # what our reply on ACME-1 was called


def thread_headers(in_reply_to: str | None, references: str | None) -> list[str]:
    lines = []
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references:
        lines.append(f"References: {references}")
    return lines


def gmail(subject: str, message_id: str, text: str, *, in_reply_to: str | None = None,
          references: str | None = None, sender: str = ALICE_FROM, to: str = ACME,
          date: str = "Tue, 24 Nov 2026 09:12:40 +0100", boundary: str = "000000000000d2e3f4a5b6c7d8e9") -> str:
    """Gmail: MIME-Version first, References before In-Reply-To, a text part and a div-per-line HTML part."""
    lines = text.rstrip("\n").split("\n")
    html = "<div dir=\"ltr\">" + "".join(f"<div>{escape(line, quote=False) or '<br>'}</div>" for line in lines)
    head = ["MIME-Version: 1.0", *thread_headers(None, references), *thread_headers(in_reply_to, None),
            f"From: {sender}", f"Date: {date}", f"Message-ID: {message_id}", f"Subject: {subject}", f"To: {to}",
            f"Content-Type: multipart/alternative; boundary=\"{boundary}\""]
    return ("\n".join(head) + f"\n\n--{boundary}\nContent-Type: text/plain; charset=\"UTF-8\"\n"
            f"Content-Transfer-Encoding: quoted-printable\n\n{qp(text)}\n--{boundary}\n"
            "Content-Type: text/html; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n"
            f"{qp(html + '</div>')}\n--{boundary}--\n")


def outlook(subject: str, message_id: str, text: str, *, in_reply_to: str | None = None,
            references: str | None = None, sender: str = ALICE_FROM, to: str = f"Acme Support <{ACME}>",
            cc: str | None = None, date: str = "Tue, 24 Nov 2026 08:31:12 +0000") -> str:
    """Outlook desktop: Thread-Index, X-MS headers, quoted-printable text and MsoNormal HTML."""
    boundary = "_000_" + message_id.strip("<>").split("@")[0] + "_"
    html = "".join(f"<p class=\"MsoNormal\">{line or '&nbsp;'}<o:p></o:p></p>\n"
                   for line in text.rstrip("\n").split("\n"))
    head = [f"From: {sender}", f"To: {to}", *([f"CC: {cc}"] if cc else []), f"Subject: {subject}",
            f"Thread-Topic: {subject.split('] ', 1)[-1]}", "Thread-Index: AQHbPk9aQm9vdGhUcmVhZEluZGV4AAA=",
            f"Date: {date}", f"Message-ID: {message_id}", *thread_headers(in_reply_to, references),
            "Accept-Language: en-GB, en-US", "Content-Language: en-GB", "X-MS-Has-Attach:",
            "X-MS-TNEF-Correlator:", "X-Mailer: Microsoft Outlook 16.0",
            f"Content-Type: multipart/alternative;\n\tboundary=\"{boundary}\"", "MIME-Version: 1.0"]
    return ("\n".join(head) + f"\n\n--{boundary}\nContent-Type: text/plain; charset=\"us-ascii\"\n"
            f"Content-Transfer-Encoding: quoted-printable\n\n{qp(text, 'us-ascii')}\n--{boundary}\n"
            "Content-Type: text/html; charset=\"us-ascii\"\nContent-Transfer-Encoding: quoted-printable\n\n"
            + qp("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=us-ascii\"></head>"
                 f"<body lang=\"EN-GB\"><div class=\"WordSection1\">\n{html}</div></body></html>\n", "us-ascii")
            + f"\n--{boundary}--\n")


def plain(subject: str, message_id: str, text: str, *, agent: str, in_reply_to: str | None = None,
          references: str | None = None, sender: str = ALICE_FROM, to: str = ACME,
          date: str = "Tue, 24 Nov 2026 10:02:55 +0100", flowed: bool = False, charset: str = "utf-8") -> str:
    """A single text/plain part, the way Thunderbird, Apple Mail, mutt and Alpine send it (``agent`` is
    their User-Agent or X-Mailer line)."""
    head = [f"Message-ID: {message_id}", f"Date: {date}", "MIME-Version: 1.0", agent,
            *thread_headers(in_reply_to, references), f"To: {to}", f"From: {sender}", f"Subject: {subject}",
            f"Content-Type: text/plain; charset={charset}{'; format=flowed' if flowed else ''}",
            "Content-Transfer-Encoding: 8bit"]
    return "\n".join(head) + "\n\n" + textwrap.dedent(text).lstrip("\n")


THUNDERBIRD = "User-Agent: Mozilla Thunderbird"
APPLE = "X-Mailer: Apple Mail (2.3826.200.121)"
MUTT = "User-Agent: NeoMutt/20231103"
ALPINE = "User-Agent: Alpine 2.26 (DEB 394 2022-12-08)"

FIXTURES = [
    # --- which ticket -------------------------------------------------------------------------------------
    fixture(
        "in-reply-to-first-message",
        plain("Re: Printer on fire", "<0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f@customer.example>", """\
            It is the one on the second floor, model MFC-9000.
            """, agent=THUNDERBIRD, in_reply_to=ANCHOR_1, references=ANCHOR_1, flowed=True),
        "Thunderbird: the customer adds to her own first message (In-Reply-To and References "
        "<anchor-1@customer.example>) before we answered",
        "appended", ticket="ACME-1", new_text_contains=["second floor, model MFC-9000"],
    ),
    fixture(
        "references-only-last-known",
        plain("Toner question", "<20261124.a81f3c@mail.customer.example>", """\
            Also: which toner does the replacement unit take?

            Alice
            """, agent="X-Mailer: Customer Example Webmail 3.1",
              references="<internal-1@customer.example>\n <internal-2@customer.example>\n " + ANCHOR_1),
        "A webmail that writes no In-Reply-To, only References: two ids of an internal thread we never saw, then the message that "
        "opened ACME-1 (the parent, last); the subject was changed and has no token",
        "appended", ticket="ACME-1", new_text_contains=["which toner does the replacement unit take?"],
    ),
    fixture(
        "reply-to-our-outbound",
        outlook("RE: [#ACME-1] Printer on fire",
                "<DB9PR07MB7100F0E1D2C3B4A5968778695A4B3C2D@DB9PR07MB7100.eurprd07.prod.outlook.example>",
                "Yes, I turned it off and on again. The smoke is gone but it still will not print.\n\n"
                "Alice\n\n"
                "________________________________\n"
                "From: Acme Support <support@acme.example>\n"
                "Sent: Monday, November 23, 2026 4:02 PM\n"
                "To: Alice Customer <alice@customer.example>\n"
                "Subject: Re: [#ACME-1] Printer on fire\n\n"
                "Have you tried turning it off?\n",
                in_reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}"),
        "Outlook replying to our outbound message (In-Reply-To <hd.acme.anchor-out@helpdesk.test>); the "
        "underscore rule and From:/Sent: block start the history",
        "appended", ticket="ACME-1", new_text_contains=["still will not print"],
        new_text_excludes=["turning it off", "________", "Sent: Monday"],
    ),
    fixture(
        "message-id-other-case",
        plain("Re: Printer on fire", "<OF1A2B3C4D.5E6F7A8B-ONC1258B2E.0041A2B3@customer.example>",
              "The service engineer is booked for Thursday.\n",
              agent="X-Mailer: HCL Notes Release 12.0.2 November 03, 2022",
              in_reply_to="<ANCHOR-1@Customer.Example>", references="<ANCHOR-1@Customer.Example>",
              charset="US-ASCII"),
        "In-Reply-To and References in another letter case than the Message-ID we stored "
        "(<ANCHOR-1@Customer.Example>, as some gateways rewrite them): ids are compared in lower case",
        "appended", ticket="ACME-1", new_text_contains=["booked for Thursday"],
    ),
    fixture(
        "subject-token-only",
        gmail(OUR_SUBJECT, "<CAJx5fQ3p9LmR1tY2uW4vX6zA8bC0dE2fG4hJ6kL8mN0pQ2rS4t@mail.gmail.com>",
              "Writing from my personal account: the printer is still smoking.\n",
              sender="Alice C <alice.customer@gmail.example>"),
        "A new message from another account, no In-Reply-To or References, only the subject token copied "
        "from our reply: appended to ACME-1, from that address",
        "appended", ticket="ACME-1", from_email="alice.customer@gmail.example",
        new_text_contains=["still smoking"],
    ),
    fixture(
        "subject-token-with-spaces",
        plain("Re: [# ACME-1 ] Printer on fire", "<8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d@customer.example>",
              "Retyped the subject by hand, sorry.\n", agent=THUNDERBIRD),
        "Subject token retyped with spaces inside the brackets, no thread headers",
        "appended", ticket="ACME-1", new_text_contains=["Retyped the subject"],
    ),
    fixture(
        "subject-token-lower-case",
        plain("re: [#acme-1] printer on fire", "<20261124095512.GA4411@workstation.customer.example>",
              "lower case everywhere, the printer still smells of smoke.\n", agent=MUTT, charset="us-ascii"),
        "Subject token in lower case (mutt user who types everything lower case), no thread headers",
        "appended", ticket="ACME-1", new_text_contains=["still smells of smoke"],
    ),
    fixture(
        "subject-token-unknown-ticket",
        plain("Re: [#ACME-999] Printer on fire", "<9b0c1d2e-3f4a-4b5c-8d6e-7f8a9b0c1d2e@customer.example>",
              "I think this was my old ticket number.\n", agent=THUNDERBIRD),
        "Token for a ticket that does not exist: a new ticket, the subject kept as it is",
        "created", subject="Re: [#ACME-999] Printer on fire", new_text_contains=["my old ticket number"],
    ),
    fixture(
        "unknown-parent-older-reference",
        gmail(OUR_SUBJECT, "<CAJx5fQ5s1NoT2uV3wX4yZ5aB6cD7eF8gH9iJ0kL1mN2oP3qR4s@mail.gmail.com>",
              "My colleague forwarded me your mail; adding myself here.\n",
              in_reply_to="<CAKdTnQ1f0rWaRdEdByCoLLeAgUe0000x@mail.gmail.com>",
              references=f"{OUT_ACME} <CAKdTnQ1f0rWaRdEdByCoLLeAgUe0000x@mail.gmail.com>",
              sender="Dan Customer <dan@customer.example>"),
        "Reply to a colleague's forward we never saw: In-Reply-To is unknown, the older References entry "
        "is our outbound message, and the token agrees",
        "appended", ticket="ACME-1", from_email="dan@customer.example",
    ),
    fixture(
        "reply-to-closed-ticket",
        outlook("RE: Old invoice question",
                "<DB9PR07MB7100A0B1C2D3E4F5A6B7C8D9E0F1A2B3@DB9PR07MB7100.eurprd07.prod.outlook.example>",
                "The March invoice still shows the wrong VAT rate.\n\nAlice\n",
                in_reply_to=ANCHOR_CLOSED, references=ANCHOR_CLOSED),
        "Reply to the message of the closed ticket ACME-2: a new follow-up ticket, not ACME-2 reopened",
        "created", subject="RE: Old invoice question", new_text_contains=["wrong VAT rate"],
    ),
    fixture(
        "forged-reference-to-globex",
        plain("Re: [#GLOBEX-1] Globex shipping delay", "<4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e7f@customer.example>",
              "Put me on that shipment ticket, please.\n", agent=THUNDERBIRD, in_reply_to=OUT_GLOBEX,
              references=f"{GLOBEX_ANCHOR} {OUT_GLOBEX}"),
        "Sent to acme with globex's Message-IDs and globex's token (copied, or forged): never threads "
        "across clients, a new acme ticket",
        "created", subject="Re: [#GLOBEX-1] Globex shipping delay",
    ),
    fixture(
        "globex-reply",
        gmail("Re: [#GLOBEX-1] Globex shipping delay",
              "<CAPn8sWq2LzX3cV4bN5mA6sD7fG8hJ9kL0qW1eR2tY3uI4oP5a@mail.gmail.com>",
              "Still no shipment. Can you give me a tracking number?\n", in_reply_to=OUT_GLOBEX,
              references=f"{GLOBEX_ANCHOR} {OUT_GLOBEX}", sender=f"Bob Buyer <{BOB}>", to=GLOBEX),
        "A reply delivered to globex (help@globex.example) answering our outbound message there",
        "appended", client="globex", ticket="GLOBEX-1", from_email=BOB, new_text_contains=["tracking number"],
    ),
    fixture(
        "duplicate-same-bytes",
        simple("My printer is on fire. Please help.\n", subject="Printer on fire", message_id=ANCHOR_1,
               sender=ALICE_FROM, to=ACME),
        "The very message that opened ACME-1 delivered again (a webhook retried after a timeout)",
        "duplicate",
    ),
    fixture(
        "duplicate-other-bytes",
        "Received: from mx2.acme.example (mx2.acme.example [203.0.113.25])\n"
        "\tby inbound.acme.example (Postfix) with ESMTPS id 4HqB3K0Wd1z2xYz\n"
        "\tfor <support@acme.example>; Tue, 24 Nov 2026 08:20:44 +0000 (UTC)\n"
        "X-Original-To: support@acme.example\nDelivered-To: support@acme.example\n"
        + simple("My printer is on fire. Please help.\n", subject="Printer on fire", message_id=ANCHOR_1,
                 sender=ALICE_FROM, to=ACME),
        "The same message received through the backup MX: other trace headers, other bytes, the same "
        "Message-ID: a duplicate",
        "duplicate",
    ),
    fixture(
        "references-sixty-ids",
        plain("Re: Printer on fire", "<d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a@customer.example>",
              "After sixty mails between us here: please send the engineer.\n", agent=THUNDERBIRD,
              in_reply_to="<thread-59@customer.example>",
              references="\n ".join([ANCHOR_1] + [f"<thread-{n}@customer.example>" for n in range(1, 60)])),
        "A long internal thread started by the message that opened ACME-1: References holds 60 ids, the root "
        "(ours) first and 59 we never saw. The root is kept however long the header (RFC 5537 trims the "
        "middle), so the reply still lands on ACME-1",
        "appended", ticket="ACME-1", new_text_contains=["please send the engineer"],
    ),
    fixture(
        "colleague-replies-all",
        outlook("RE: [#ACME-1] Printer on fire",
                "<AM9PR07MB7188B1C2D3E4F5A6B7C8D9E0F1A2B3C4@AM9PR07MB7188.eurprd07.prod.outlook.example>",
                "Hi, I look after the printers at Customer Example. The unit has been unplugged for now.\n\n"
                "Carol\n\n"
                "From: Acme Support <support@acme.example>\n"
                "Sent: Monday, November 23, 2026 4:02 PM\n"
                "To: Alice Customer <alice@customer.example>\n"
                "Cc: Carol Colleague <carol@customer.example>\n"
                "Subject: Re: [#ACME-1] Printer on fire\n\n"
                "Have you tried turning it off?\n",
                in_reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}",
                sender="Carol Colleague <carol@customer.example>",
                to=f"Acme Support <{ACME}>", cc=ALICE_FROM),
        "Reply All from a colleague who was on Cc: appended to ACME-1 under her own address and name",
        "appended", ticket="ACME-1", from_email="carol@customer.example", from_name="Carol Colleague",
        new_text_contains=["unplugged for now"], new_text_excludes=["turning it off"],
    ),
    # --- what is new: each program's quoting -------------------------------------------------------------
    fixture(
        "gmail-on-wrote",
        gmail(OUR_SUBJECT, "<CAJx5fQ7v2OpS3tU4vW5xY6zA7bC8dE9fG0hI1jK2lM3nO4pQ5r@mail.gmail.com>",
              "It is still smoking a little, should I call the fire brigade?\n\n"
              "On Mon, Nov 23, 2026 at 4:02 PM Acme Support <support@acme.example> wrote:\n\n"
              "> Have you tried turning it off?\n>\n",
              in_reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}"),
        "Gmail top-posted reply: 'On <date> <name> <<address>> wrote:' and '>' lines are history",
        "appended", ticket="ACME-1", new_text_contains=["should I call the fire brigade?"],
        new_text_excludes=["wrote:", "turning it off"],
    ),
    fixture(
        "outlook-original-message",
        outlook("RE: [#ACME-1] Printer on fire",
                "<VI1PR07MB6431C2D3E4F5A6B7C8D9E0F1A2B3C4D5@VI1PR07MB6431.eurprd07.prod.outlook.example>",
                "The engineer can come on Thursday morning.\n\nRegards,\nAlice\n\n"
                "-----Original Message-----\n"
                "From: Acme Support <support@acme.example>\n"
                "Sent: Monday, November 23, 2026 4:02 PM\n"
                "To: Alice Customer <alice@customer.example>\n"
                "Subject: Re: [#ACME-1] Printer on fire\n\n"
                "Have you tried turning it off?\n",
                in_reply_to=OUT_ACME, references=OUT_ACME, date="Tue, 24 Nov 2026 08:45:10 +0000"),
        "Outlook (plain-text setting, older versions): '-----Original Message-----' starts the history",
        "appended", ticket="ACME-1", new_text_contains=["Thursday morning", "Regards,\nAlice"],
        new_text_excludes=["Original Message", "turning it off", "Sent: Monday"],
    ),
    fixture(
        "outlook-from-sent-block",
        outlook("RE: [#ACME-1] Printer on fire",
                "<VI1PR07MB6431D3E4F5A6B7C8D9E0F1A2B3C4D5E6@VI1PR07MB6431.eurprd07.prod.outlook.example>",
                "Thursday 9:00 works for us.\n\nAlice\n\n"
                "From: Acme Support <support@acme.example>\n"
                "Sent: Monday, November 23, 2026 4:02 PM\n"
                "To: Alice Customer <alice@customer.example>\n"
                "Subject: Re: [#ACME-1] Printer on fire\n\n"
                "Have you tried turning it off?\n",
                in_reply_to=OUT_ACME, references=OUT_ACME, date="Tue, 24 Nov 2026 08:52:33 +0000"),
        "Outlook 365: no rule line, the history starts at the From:/Sent:/To:/Subject: block",
        "appended", ticket="ACME-1", new_text_contains=["Thursday 9:00 works for us."],
        new_text_excludes=["From: Acme Support", "Sent: Monday", "turning it off"],
    ),
    fixture(
        "angle-quoted-nested",
        plain(OUR_SUBJECT, "<alpine.DEB.2.22.394.2611241003120.9921@workstation.customer.example>", """\
            On Mon, 23 Nov 2026, Acme Support wrote:

            > Have you tried turning it off?
            >
            > On Mon, 23 Nov 2026, Alice Customer wrote:
            >
            > > My printer is on fire. Please help.

            Yes, and unplugged it. Nothing changed.
            """, agent=ALPINE, in_reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}",
              charset="US-ASCII", date="Tue, 24 Nov 2026 10:03:12 +0100 (CET)"),
        "Alpine bottom-posted reply with two levels of '>' quoting (our reply, and her first message in it)",
        "appended", ticket="ACME-1", new_text_contains=["Yes, and unplugged it. Nothing changed."],
        new_text_excludes=["turning it off", "Please help", "Acme Support wrote"],
    ),
    fixture(
        "german-am-schrieb",
        gmail("AW: [#ACME-1] Printer on fire", "<CAHm2kRt4YpU5iO6pA7sD8fG9hJ0kL1zX2cV3bN4mQ5wE6r@mail.gmail.com>",
              "Hallo,\n\nder Drucker ist jetzt aus, riecht aber immer noch verbrannt.\n\nGrüße\nJürgen\n\n"
              "Am Mo., 23. Nov. 2026 um 16:02 Uhr schrieb Acme Support <\nsupport@acme.example>:\n\n"
              "> Have you tried turning it off?\n>\n",
              in_reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}",
              sender="Jürgen Kunde <juergen@customer.example>"),
        "Gmail in German: 'Am <Datum> schrieb <Name> <' wrapped onto the next line before 'address>:'",
        "appended", ticket="ACME-1", from_name="Jürgen Kunde", new_text_contains=["riecht aber immer noch"],
        new_text_excludes=["schrieb", "turning it off"],
    ),
    fixture(
        "top-posted-apple-mail",
        plain(OUR_SUBJECT, "<7E1F2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B@customer.example>", """\
            The fire is out. I will send a photo of the damage tomorrow.

            Best,
            Alice

            > On 23 Nov 2026, at 16:02, Acme Support <support@acme.example> wrote:
            >
            > Have you tried turning it off?
            >
            > --
            > Acme Support
            """.replace("> --\n", "> -- \n"),
              agent=APPLE, in_reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}",
              date="Tue, 24 Nov 2026 10:14:08 +0100", charset="us-ascii"),
        "Apple Mail top-posted reply whose attribution line is itself inside the '>' quote",
        "appended", ticket="ACME-1", new_text_contains=["The fire is out.", "Best,\nAlice"],
        new_text_excludes=["wrote:", "turning it off", "Acme Support"],
    ),
    fixture(
        "inline-interleaved",
        plain(OUR_SUBJECT, "<20261124102233.GB5120@workstation.customer.example>", """\
            > Have you tried turning it off?

            Yes, twice. On Monday it still worked fine, so it is new.

            > Is the power cable damaged?

            No, the cable looks fine.

            > Which model is it?

            MFC-9000, bought 2023.

            Alice
            """, agent=MUTT, in_reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}", charset="us-ascii",
              date="Tue, 24 Nov 2026 10:22:33 +0100"),
        "Mutt inline reply: answers between the quoted questions; every answer is new text, no quote is "
        "('On Monday it still worked' is not an attribution)",
        "appended", ticket="ACME-1",
        new_text_contains=["Yes, twice. On Monday it still worked fine", "No, the cable looks fine.",
                           "MFC-9000, bought 2023."],
        new_text_excludes=["turning it off", "power cable damaged", "Which model"],
    ),
]
