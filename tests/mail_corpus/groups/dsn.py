"""Bounces (delivery status notifications) from several MTAs for the reply we sent
on ACME-1 (<hd.acme.anchor-out@helpdesk.test>): RFC 3464 reports from Postfix,
Exchange, Gmail, Sendmail, Amazon SES; Exim's and qmail's plain-text ones; and the
ones that must not mark anything (delayed, relayed, someone else's message)."""

from kit import ACME, GLOBEX, OUT_ACME, OUT_GLOBEX, fixture

ORIGINAL_HEADERS = f"""\
From: Acme Support <{ACME}>
To: alice@customer.example
Subject: Re: [#ACME-1] Printer on fire
Date: Mon, 23 Nov 2026 16:02:11 +0000
Message-ID: {OUT_ACME}
In-Reply-To: <anchor-1@customer.example>
"""


def report(*, sender: str, subject: str, boundary: str, human: str, status: str, action: str = "failed",
           diagnostic: str = "smtp; 550 5.1.1 <alice@customer.example>: Recipient address rejected: User unknown",
           original: str = ORIGINAL_HEADERS, original_type: str = "text/rfc822-headers", to: str = ACME,
           extra: str = "", reporting_mta: str = "dns; mx.customer.example") -> str:
    return f"""\
Return-Path: <>
From: {sender}
To: {to}
Subject: {subject}
Date: Mon, 23 Nov 2026 16:02:14 +0000
Message-ID: <dsn-{boundary}@mx.customer.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"
{extra}
This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

{human}

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: {reporting_mta}
Arrival-Date: Mon, 23 Nov 2026 16:02:12 +0000

Final-Recipient: rfc822; alice@customer.example
Original-Recipient: rfc822;alice@customer.example
Action: {action}
Status: {status}
Diagnostic-Code: {diagnostic}

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: {original_type}

{original}
--{boundary}--
"""


FIXTURES = [
    fixture("postfix", report(
        sender="MAILER-DAEMON@mx.customer.example (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender", boundary="4Hq2x71Zqwz9sVj.1795511734/mx.customer.example",
        human="This is the mail system at host mx.customer.example.\n\nI'm sorry to have to inform you that your "
              "message could not\nbe delivered to one or more recipients.",
        status="5.1.1", extra="X-Postfix-Queue-ID: 4Hq2x71Zqwz9sVj"),
        "Postfix RFC 3464 report with text/rfc822-headers", "bounce", bounce_of=OUT_ACME),
    fixture("exchange-online", report(
        sender="Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@customer.example>",
        subject="Undeliverable: Re: [#ACME-1] Printer on fire", boundary="_000_a1b2c3d4NDR_",
        human="Your message to alice@customer.example couldn't be delivered.\nalice wasn't found at "
              "customer.example.", status="5.1.10",
        diagnostic="smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        reporting_mta="dns;AM6PR02MB1234.eurprd02.prod.outlook.example",
        original_type="message/rfc822", original=ORIGINAL_HEADERS + "\nHave you tried turning it off?\n"),
        "Exchange Online NDR with the whole original as message/rfc822", "bounce", bounce_of=OUT_ACME),
    fixture("gmail", report(
        sender="Mail Delivery Subsystem <mailer-daemon@googlemail.example>",
        subject="Delivery Status Notification (Failure)", boundary="000000000000d1e2f3062a1f0e99",
        human="** Address not found **\n\nYour message wasn't delivered to alice@customer.example because the "
              "address couldn't be found, or is unable to receive mail.", status="5.1.1",
        diagnostic="smtp; 550-5.1.1 The email account that you tried to reach does not exist.",
        reporting_mta="dns; googlemail.example"),
        "Gmail's DSN", "bounce", bounce_of=OUT_ACME),
    fixture("sendmail-mailbox-full", report(
        sender="Mail Delivery Subsystem <MAILER-DAEMON@mail.customer.example>",
        subject="Returned mail: see transcript for details", boundary="2ANGFm1k009876.1795511734/mail.customer.example",
        human="The original message was received at Mon, 23 Nov 2026 16:02:12 GMT\n\n   ----- The following "
              "addresses had permanent fatal errors -----\n<alice@customer.example>\n    (reason: 552 5.2.2 "
              "Mailbox full)", status="5.2.2", diagnostic="SMTP; 552 5.2.2 Mailbox full"),
        "Sendmail: mailbox full, a permanent failure", "bounce", bounce_of=OUT_ACME),
    fixture("amazon-ses", report(
        sender="MAILER-DAEMON@amazonses.example", subject="Delivery Status Notification (Failure)",
        boundary="=_ses_0100018c1a2b3c4d", human="An error occurred while trying to deliver the mail to the "
        "following recipients:\nalice@customer.example", status="5.1.1",
        diagnostic="smtp; 550 5.1.1 user unknown", reporting_mta="dns; a48-30.smtp-out.amazonses.example",
        original_type="message/rfc822", original=ORIGINAL_HEADERS + "\nHave you tried turning it off?\n"),
        "Amazon SES bounce", "bounce", bounce_of=OUT_ACME),
    fixture("exim-plain", f"""\
        Return-path: <>
        From: Mail Delivery System <Mailer-Daemon@mx2.customer.example>
        To: {ACME}
        Subject: Mail delivery failed: returning message to sender
        Date: Mon, 23 Nov 2026 16:02:15 +0000
        Message-Id: <E1tEgxZ-0001Ab-Cd@mx2.customer.example>
        Auto-Submitted: auto-replied
        X-Failed-Recipients: alice@customer.example

        This message was created automatically by mail delivery software.

        A message that you sent could not be delivered to one or more of its
        recipients. This is a permanent error. The following address(es) failed:

          alice@customer.example
            No such user here

        ------ This is a copy of the message, including all the headers. ------

        Return-path: <{ACME}>
        From: Acme Support <{ACME}>
        To: alice@customer.example
        Subject: Re: [#ACME-1] Printer on fire
        Message-ID: {OUT_ACME}

        Have you tried turning it off?
        """,
        "Exim's plain-text bounce: the original's Message-ID in the quoted copy", "bounce", bounce_of=OUT_ACME),
    fixture("qmail-plain", f"""\
        Return-Path: <>
        From: MAILER-DAEMON@mail.customer.example
        To: {ACME}
        Subject: failure notice
        Date: 23 Nov 2026 16:02:16 -0000
        Message-ID: <20261123160216.12345.qmail@mail.customer.example>

        Hi. This is the qmail-send program at mail.customer.example.
        I'm afraid I wasn't able to deliver your message to the following addresses.
        This is a permanent error; I've given up. Sorry it didn't work out.

        <alice@customer.example>:
        Sorry, no mailbox here by that name. (#5.1.1)

        --- Below this line is a copy of the message.

        Return-Path: <{ACME}>
        Message-ID: {OUT_ACME}
        From: Acme Support <{ACME}>
        Subject: Re: [#ACME-1] Printer on fire

        Have you tried turning it off?
        """,
        "qmail's 'failure notice' with the copy below the line", "bounce", bounce_of=OUT_ACME),
    fixture("german-unzustellbar", f"""\
        Return-Path: <>
        From: Postmaster <postmaster@kunde.example>
        To: {ACME}
        Subject: Unzustellbar: Re: [#ACME-1] Printer on fire
        Date: Mon, 23 Nov 2026 17:02:16 +0100
        Message-ID: <ndr-de-1@kunde.example>
        In-Reply-To: {OUT_ACME}
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        Die Nachricht konnte nicht zugestellt werden: Empfänger unbekannt.
        """,
        "A German NDR in plain text that names our message in In-Reply-To", "bounce", bounce_of=OUT_ACME),
    fixture("delayed", report(
        sender="MAILER-DAEMON@mx.customer.example (Mail Delivery System)",
        subject="Delayed Mail (still being retried)", boundary="4Hq2x71Zqwz9sVk.1795511734/mx.customer.example",
        human="This is the mail system at host mx.customer.example.\n\n####################################\n"
              "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #", status="4.4.1",
        action="delayed", diagnostic="X-Postfix; connect to mx.customer.example: Connection timed out"),
        "Postfix 'delayed' warning: not a failure, marks nothing", "ignored"),
    fixture("relayed", report(
        sender="MAILER-DAEMON@gw.customer.example", subject="Delivery Status Notification (Relay)",
        boundary="relay-1", human="Your message was relayed to a system that does not send reports.",
        status="2.0.0", action="relayed", diagnostic="smtp; 250 2.0.0 OK"),
        "A 'relayed' DSN is good news: marks nothing", "ignored"),
    fixture("unknown-original", report(
        sender="MAILER-DAEMON@mx.customer.example", subject="Undelivered Mail Returned to Sender",
        boundary="unknown-1", human="Could not be delivered.", status="5.1.1",
        original=ORIGINAL_HEADERS.replace(OUT_ACME, "<someone-elses@other.example>")),
        "A bounce for a message we never sent (backscatter): ignored", "ignored"),
    fixture("globex-bounce-at-acme", report(
        sender="MAILER-DAEMON@mx.customer.example", subject="Undelivered Mail Returned to Sender",
        boundary="cross-1", human="Could not be delivered.", status="5.1.1",
        original=ORIGINAL_HEADERS.replace(OUT_ACME, OUT_GLOBEX)),
        "Globex's outbound message bounced, but the report came to acme: never marks another client's mail",
        "ignored"),
    fixture("globex-bounce", report(
        sender="MAILER-DAEMON@mx.customer.example", subject="Undelivered Mail Returned to Sender",
        boundary="globex-1", human="Could not be delivered.", status="5.1.1", to=GLOBEX,
        original=ORIGINAL_HEADERS.replace(OUT_ACME, OUT_GLOBEX)),
        "The same report at globex marks globex's message", "bounce", client="globex", bounce_of=OUT_GLOBEX),
]
