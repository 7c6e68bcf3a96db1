"""Bounces of the reply we sent on ACME-1 (<hd.acme.anchor-out@helpdesk.test>, from
support@acme.example to alice@customer.example), as each mail system writes them:
RFC 3464 reports from Postfix, modern Exim, Sendmail, Exchange Online, a German
Exchange, Gmail and Amazon SES; the plain-text ones of old Exim, qmail and Yahoo.
Each marks our message bounced. Reports that must not mark anything: a delay
warning, a success report, backscatter for mail we never sent, and another
client's bounce. Mail that only looks like a bounce (a vacation reply sent with
the null sender, a customer forwarding a bounce) stays mail."""

from email.utils import parsedate_to_datetime

from kit import ACME, ALICE, ANCHOR_1, BOB, GLOBEX, GLOBEX_ANCHOR, OUT_ACME, OUT_GLOBEX, PNG, b64, fixture, qp

OUR_SUBJECT = "Re: [#ACME-1] Printer on fire"
OUR_BODY = "Have you tried turning it off?\n"


def our_headers(*, message_id: str = OUT_ACME, sender: str = f"Acme Support <{ACME}>",
                to: str = f"Alice Customer <{ALICE}>", subject: str = OUR_SUBJECT, parent: str = ANCHOR_1,
                ticket: str = "ACME-1", relay: str | None = "smtp-out.acme.example") -> str:
    """The header section of the reply as our helpdesk composed it (and our relay, if any, passed it on)."""
    address = to.split("<")[-1].rstrip(">")
    trace = (f"Received: from helpdesk-worker-2.acme.example (helpdesk-worker-2.acme.example [203.0.113.20])\n"
             f"\tby {relay} (Postfix) with ESMTPS id 4Hq1kY3fN2z4wWb\n"
             f"\tfor <{address}>; Mon, 23 Nov 2026 16:02:11 +0000 (UTC)\n") if relay else ""
    return trace + f"""\
From: {sender}
To: {to}
Subject: {subject}
Date: Mon, 23 Nov 2026 16:02:11 +0000
Message-ID: {message_id}
In-Reply-To: {parent}
References: {parent}
X-Helpdesk-Ticket: {ticket}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit
MIME-Version: 1.0
"""


OUR_MESSAGE = our_headers() + "\n" + OUR_BODY
GLOBEX_MESSAGE = our_headers(message_id=OUT_GLOBEX, sender=f"Globex Help <{GLOBEX}>", to=f"Bob Buyer <{BOB}>",
                             subject="Re: [#GLOBEX-1] Globex shipping delay", parent=GLOBEX_ANCHOR,
                             ticket="GLOBEX-1", relay="smtp-out.globex.example") + "\nIt left our warehouse today.\n"


def into_acme(helo: str, ip: str, queue_id: str, date: str, *, to: str = ACME, proto: str = "ESMTPS") -> str:
    """The Received line our MX puts on top (the client's own MX for another client's address)."""
    mx = "mx." + to.split("@")[1]
    return (f"Received: from {helo} ({helo} [{ip}])\n\tby {mx} (Postfix) with {proto} id {queue_id}\n"
            f"\tfor <{to}>; {date}")


# --- Postfix: our own relay gives up (RFC 3464, Content-Transfer-Encoding 8bit) ---------------------

POSTFIX_FAILED_HUMAN = """\
This is the mail system at host {host}.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

{detail}"""

POSTFIX_DELAYED_HUMAN = """\
This is the mail system at host {host}.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

Your message could not be delivered for more than 4 hour(s).
It will be retried until it is 5 day(s) old.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

{detail}"""

POSTFIX_SUCCESS_HUMAN = """\
This is the mail system at host {host}.

Your message was successfully delivered to the destination(s)
listed below. If the message was delivered to mailbox you will
receive no further notifications. Otherwise you may still receive
notifications of mail delivery errors from other systems.

                   The mail system

{detail}"""

USER_UNKNOWN_DETAIL = """\
<alice@customer.example>: host mx.customer.example[198.51.100.25] said: 550
    5.1.1 <alice@customer.example>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)"""

USER_UNKNOWN_RECIPIENT = """\
Final-Recipient: rfc822; alice@customer.example
Original-Recipient: rfc822;alice@customer.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.customer.example
Diagnostic-Code: smtp; 550 5.1.1 <alice@customer.example>: Recipient address
    rejected: User unknown in virtual mailbox table"""


def postfix(*, host: str, queue_id: str, subject: str, human: str, recipient: str, original: str,
            original_type: str = "text/rfc822-headers", to: str = ACME, sender_address: str = ACME,
            arrival: str = "Mon, 23 Nov 2026 16:02:11 +0000 (UTC)", date: str = "Mon, 23 Nov 2026 16:02:14 +0000 (UTC)",
            received: str | None = None) -> str:
    boundary = f"{queue_id}.1795450934/{host}"
    description = "Undelivered Message Headers" if original_type == "text/rfc822-headers" else "Undelivered Message"
    top = f"{received}\n" if received else ""
    stamp = parsedate_to_datetime(date).strftime("%Y%m%d%H%M%S")
    return f"""\
Return-Path: <>
{top}Received: by {host} (Postfix)
\tid {queue_id}; {date}
Date: {date}
From: MAILER-DAEMON@{host} (Mail Delivery System)
Subject: {subject}
To: {to}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"
Content-Transfer-Encoding: 8bit
Message-Id: <{stamp}.{queue_id}@{host}>

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{human}

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; {host}
X-Postfix-Queue-ID: {queue_id}
X-Postfix-Sender: rfc822; {sender_address}
Arrival-Date: {arrival}

{recipient}

--{boundary}
Content-Description: {description}
Content-Type: {original_type}
Content-Transfer-Encoding: 8bit

{original}
--{boundary}--
"""


POSTFIX_HEADERS_ONLY = postfix(
    host="smtp-out.acme.example", queue_id="4Hq2x71Zqwz9sVj", subject="Undelivered Mail Returned to Sender",
    human=POSTFIX_FAILED_HUMAN.format(host="smtp-out.acme.example", detail=USER_UNKNOWN_DETAIL),
    recipient=USER_UNKNOWN_RECIPIENT, original=our_headers(),
    received="Received: from smtp-out.acme.example (smtp-out.acme.example [203.0.113.21])\n"
             "\tby mx.acme.example (Postfix) with ESMTPS id 4Hq2x8Bq0Kz9sVk\n"
             f"\tfor <{ACME}>; Mon, 23 Nov 2026 16:02:14 +0000 (UTC)")

POSTFIX_MAILBOX_FULL = postfix(
    host="mx.customer.example", queue_id="4Hq3C52mPQz7tYb", subject="Undelivered Mail Returned to Sender",
    human=POSTFIX_FAILED_HUMAN.format(host="mx.customer.example", detail=(
        "<alice@customer.example>: delivery temporarily suspended: mailbox full\n"
        "    (quota exceeded, 5120000 kB used of 5120000 kB); giving up")),
    recipient="""\
Final-Recipient: rfc822; alice@customer.example
Original-Recipient: rfc822;alice@customer.example
Action: failed
Status: 5.2.2
Diagnostic-Code: x-unix; maildrop: maildir over quota.""",
    original="Return-Path: <support@acme.example>\n"
             "Received: from smtp-out.acme.example (smtp-out.acme.example [203.0.113.21])\n"
             "\tby mx.customer.example (Postfix) with ESMTPS id 4Hq2x8Cz1Rz7tYa\n"
             "\tfor <alice@customer.example>; Mon, 23 Nov 2026 16:02:12 +0000 (UTC)\n" + OUR_MESSAGE,
    original_type="message/rfc822", sender_address=ACME, date="Mon, 23 Nov 2026 16:12:40 +0000 (UTC)",
    received=into_acme("mx.customer.example", "198.51.100.25", "4Hq3C6Lr2Fz9sVm",
                       "Mon, 23 Nov 2026 16:12:41 +0000 (UTC)"))

POSTFIX_DELAYED = postfix(
    host="smtp-out.acme.example", queue_id="4Hq2x71Zqwz9sVj", subject="Delayed Mail (still being retried)",
    human=POSTFIX_DELAYED_HUMAN.format(host="smtp-out.acme.example", detail=(
        "<alice@customer.example>: connect to mx.customer.example[198.51.100.25]:25:\n"
        "    Connection timed out")),
    recipient="""\
Final-Recipient: rfc822; alice@customer.example
Original-Recipient: rfc822;alice@customer.example
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.customer.example[198.51.100.25]:25:
    Connection timed out
Will-Retry-Until: Sat, 28 Nov 2026 16:02:11 +0000 (UTC)""",
    original=our_headers(), date="Mon, 23 Nov 2026 20:12:03 +0000 (UTC)")

POSTFIX_SUCCESS = postfix(
    host="smtp-out.acme.example", queue_id="4Hq2x71Zqwz9sVj", subject="Successful Mail Delivery Report",
    human=POSTFIX_SUCCESS_HUMAN.format(host="smtp-out.acme.example", detail=(
        "<alice@customer.example>: delivery via mx.customer.example[198.51.100.25]:25: 250\n"
        "    2.0.0 Ok: queued as 4Hq2x8Cz1Rz7tYa")),
    recipient="""\
Final-Recipient: rfc822; alice@customer.example
Original-Recipient: rfc822;alice@customer.example
Action: relayed
Status: 2.0.0
Remote-MTA: dns; mx.customer.example
Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4Hq2x8Cz1Rz7tYa""",
    original=our_headers(), date="Mon, 23 Nov 2026 16:02:13 +0000 (UTC)")

BACKSCATTER_ORIGINAL = f"""\
Received: from [203.0.113.199] (unknown [203.0.113.199])
\tby mx.victim.example (Postfix) with ESMTP id 4Hr1A7nX0Wz5qPz
\tfor <carol@victim.example>; Tue, 24 Nov 2026 03:15:12 +0000 (UTC)
From: "Acme Support" <{ACME}>
To: carol@victim.example
Subject: Your invoice is overdue
Date: Tue, 24 Nov 2026 04:15:09 +0100
Message-ID: <20261124041509.77A1C3@bulk-sender.example>
X-Mailer: Mail.Ru Mailer 1.0
"""

CAROL_UNKNOWN = """\
Final-Recipient: rfc822; carol@victim.example
Original-Recipient: rfc822;carol@victim.example
Action: failed
Status: 5.1.1
Diagnostic-Code: X-Postfix; unknown user: 'carol'"""

BACKSCATTER = postfix(
    host="mx.victim.example", queue_id="4Hr1A8Qm3Fz5qQ0", subject="Undelivered Mail Returned to Sender",
    human=POSTFIX_FAILED_HUMAN.format(host="mx.victim.example", detail=(
        "<carol@victim.example>: unknown user: 'carol'")),
    recipient=CAROL_UNKNOWN,
    original=BACKSCATTER_ORIGINAL, date="Tue, 24 Nov 2026 03:15:13 +0000 (UTC)",
    received=into_acme("mx.victim.example", "198.51.100.150", "4Hr1A9Tt5Dz9sVn",
                       "Tue, 24 Nov 2026 03:15:14 +0000 (UTC)"))

BOB_UNKNOWN_RECIPIENT = USER_UNKNOWN_RECIPIENT.replace("alice@", "bob@")


def globex_bounce(to: str) -> str:
    return postfix(
        host="mx.customer.example", queue_id="4Hq4D01pLxz7tYc", subject="Undelivered Mail Returned to Sender",
        human=POSTFIX_FAILED_HUMAN.format(host="mx.customer.example", detail=(
            "<bob@customer.example>: unknown user: 'bob'")),
        recipient=BOB_UNKNOWN_RECIPIENT, original=GLOBEX_MESSAGE, original_type="message/rfc822", to=to,
        sender_address=GLOBEX, date="Mon, 23 Nov 2026 16:20:02 +0000 (UTC)",
        received=into_acme("mx.customer.example", "198.51.100.25", "4Hq4D1Vb2Nz9sVp",
                           "Mon, 23 Nov 2026 16:20:03 +0000 (UTC)", to=to))


# --- Exim: the classic plain-text bounce (4.8x) and the RFC 3464 one of 4.9x ------------------------

EXIM_INTRO = """\
This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  alice@customer.example
    host mailstore.customer.example [198.51.100.7]
    SMTP error from remote mail server after RCPT TO:<alice@customer.example>:
    550 5.1.1 <alice@customer.example>: Recipient address rejected: User unknown"""

EXIM_RECEIVED = """\
Return-path: <support@acme.example>
Received: from smtp-out.acme.example ([203.0.113.21])
\tby mx2.customer.example with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384
\t(Exim 4.84_2)
\t(envelope-from <support@acme.example>)
\tid 1tEgxY-0001AZ-Bq
\tfor alice@customer.example; Mon, 23 Nov 2026 16:02:14 +0000
"""

EXIM_PLAIN = f"""\
Return-path: <>
{into_acme("mx2.customer.example", "198.51.100.31", "4Hq2xC0kWlz9sVq", "Mon, 23 Nov 2026 16:02:16 +0000 (UTC)")}
Received: from Debian-exim by mx2.customer.example with local (Exim 4.84_2)
\tid 1tEgxZ-0001Ab-Cd
\tfor {ACME}; Mon, 23 Nov 2026 16:02:15 +0000
X-Failed-Recipients: alice@customer.example
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mx2.customer.example>
To: {ACME}
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1tEgxZ-0001Ab-Cd@mx2.customer.example>
Date: Mon, 23 Nov 2026 16:02:15 +0000

{EXIM_INTRO}

------ This is a copy of the message, including all the headers. ------

{EXIM_RECEIVED}{OUR_MESSAGE}"""

EXIM_BOUNDARY = "1795450935-eximdsn-1804289383"

EXIM_DSN = f"""\
Return-path: <>
{into_acme("mx2.customer.example", "198.51.100.31", "4Hq2xC4dYtz9sVr", "Mon, 23 Nov 2026 16:02:16 +0000 (UTC)")}
Received: from Debian-exim by mx2.customer.example with local (Exim 4.97)
\tid 1tEgxZ-00071b-2F
\tfor {ACME};
\tMon, 23 Nov 2026 16:02:15 +0000
X-Failed-Recipients: alice@customer.example
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mx2.customer.example>
To: {ACME}
References: {OUT_ACME}
Content-Type: multipart/report; report-type=delivery-status; boundary={EXIM_BOUNDARY}
MIME-Version: 1.0
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1tEgxZ-00071b-2F@mx2.customer.example>
Date: Mon, 23 Nov 2026 16:02:15 +0000

--{EXIM_BOUNDARY}
Content-type: text/plain; charset=us-ascii

{EXIM_INTRO}

--{EXIM_BOUNDARY}
Content-type: message/delivery-status

Reporting-MTA: dns; mx2.customer.example

Action: failed
Final-Recipient: rfc822;alice@customer.example
Status: 5.0.0
Remote-MTA: dns; mailstore.customer.example
X-Remote-MTA-smtp-greeting: X-Str; 220 mailstore.customer.example ESMTP Postfix
X-Remote-MTA-helo-response: X-Str; 250-mailstore.customer.example
Diagnostic-Code: smtp; 550 5.1.1 <alice@customer.example>: Recipient address rejected: User unknown

--{EXIM_BOUNDARY}
Content-type: message/rfc822

{EXIM_RECEIVED.replace("Exim 4.84_2", "Exim 4.97")}{OUR_MESSAGE}
--{EXIM_BOUNDARY}--
"""

# --- Sendmail: "Returned mail: see transcript for details", first part without a Content-Type -------

SENDMAIL_BOUNDARY = "5ANG2E1k009876.1795450936/mail.customer.example"

SENDMAIL = f"""\
Return-Path: <>
{into_acme("mail.customer.example", "198.51.100.25", "4Hq2xF3hCxz9sVs", "Mon, 23 Nov 2026 16:02:17 +0000 (UTC)")}
Received: from localhost (localhost)
\tby mail.customer.example (8.17.2/8.17.2) id 5ANG2E1k009876;
\tMon, 23 Nov 2026 17:02:16 +0100
Date: Mon, 23 Nov 2026 17:02:16 +0100
From: Mail Delivery Subsystem <MAILER-DAEMON@mail.customer.example>
Message-Id: <202611231602.5ANG2E1k009876@mail.customer.example>
To: <{ACME}>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{SENDMAIL_BOUNDARY}"
Subject: Returned mail: see transcript for details
Auto-Submitted: auto-generated (failure)

This is a MIME-encapsulated message

--{SENDMAIL_BOUNDARY}

The original message was received at Mon, 23 Nov 2026 17:02:12 +0100
from smtp-out.acme.example [203.0.113.21]

   ----- The following addresses had permanent fatal errors -----
<alice@customer.example>
    (reason: 550 5.1.1 <alice@customer.example>... User unknown)

   ----- Transcript of session follows -----
... while talking to mailhost.customer.example.:
>>> DATA
<<< 550 5.1.1 <alice@customer.example>... User unknown
550 5.1.1 <alice@customer.example>... User unknown
<<< 503 5.0.0 Need RCPT (recipient)

--{SENDMAIL_BOUNDARY}
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.customer.example
Received-From-MTA: DNS; smtp-out.acme.example
Arrival-Date: Mon, 23 Nov 2026 17:02:12 +0100

Final-Recipient: RFC822; alice@customer.example
Action: failed
Status: 5.1.1
Remote-MTA: DNS; mailhost.customer.example
Diagnostic-Code: SMTP; 550 5.1.1 <alice@customer.example>... User unknown
Last-Attempt-Date: Mon, 23 Nov 2026 17:02:16 +0100

--{SENDMAIL_BOUNDARY}
Content-Type: text/rfc822-headers

Return-Path: <support@acme.example>
Received: from smtp-out.acme.example (smtp-out.acme.example [203.0.113.21])
\tby mail.customer.example (8.17.2/8.17.2) with ESMTPS id 5ANG2C9x009871
\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)
\tfor <alice@customer.example>; Mon, 23 Nov 2026 17:02:12 +0100
{our_headers()}
--{SENDMAIL_BOUNDARY}--
"""

# --- Exchange Online NDR ("Undeliverable:"), multipart/alternative notice, whole original ----------

NDR_TEXT = """\
Your message to alice@customer.example couldn't be delivered.

alice wasn't found at customer.example.

Acme Support    Office 365    alice
Action Required               Recipient

Unknown To address

How to Fix It
The address may be misspelled or may not exist. Try one or more of the following:

  *   Send the message again following these steps: In Outlook, open this non-delivery report (NDR) and
      choose Send Again from the Report ribbon.
  *   Contact the recipient by some other means (by phone, for example) to confirm you're using the
      right address. Ask them to give you the correct address.

Was this helpful? Send feedback to Microsoft.

Diagnostic information for administrators:

Generating server: AM6PR02MB4321.eurprd02.prod.outlook.example

alice@customer.example
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'
"""

NDR_HTML = """\
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=us-ascii">
</head>
<body>
<div style="font-family:'Segoe UI',Frutiger,Arial,sans-serif; font-size:16px">
<p style="font-size:16px; font-weight:600">Your message to <a href="mailto:alice@customer.example">
alice@customer.example</a> couldn't be delivered.</p>
<p style="font-size:21px; color:#000000"><b>alice</b> wasn't found at <span style="color:#0072C6">customer.example</span>.</p>
<p style="font-size:16px; font-weight:600">How to Fix It</p>
<p>The address may be misspelled or may not exist.</p>
</div>
</body>
</html>
"""

EXO_OUTER = "_000_7d4e9c3a1b2f4e8d9a6c5f0e2d1c3b4aAM6PR02MB4321eurprd02prod_"
EXO_INNER = "_001_7d4e9c3a1b2f4e8d9a6c5f0e2d1c3b4aAM6PR02MB4321eurprd02prod_"

EXCHANGE_ONLINE_NDR = f"""\
Return-Path: <>
{into_acme("EUR02-AM0-obe.outbound.protection.outlook.example", "198.51.100.121", "4Hq2xH5wQbz9sVt",
           "Mon, 23 Nov 2026 16:02:20 +0000 (UTC)")}
From: Microsoft Outlook
\t<postmaster@customer.onmicrosoft.example>
To: <{ACME}>
Date: Mon, 23 Nov 2026 16:02:19 +0000
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{EXO_OUTER}"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: en-US
Message-ID:
\t<7d4e9c3a-1b2f-4e8d-9a6c-5f0e2d1c3b4a@AM6PR02MB4321.eurprd02.prod.outlook.example>
In-Reply-To: {OUT_ACME}
References: {ANCHOR_1} {OUT_ACME}
Thread-Topic: {OUR_SUBJECT}
Thread-Index: AQHbPdS0r3vL2E0mKkC0Z6b8Qm1p7A==
Subject: Undeliverable: {OUR_SUBJECT}
MIME-Version: 1.0
X-MS-Exchange-Organization-SCL: -1

--{EXO_OUTER}
Content-Type: multipart/alternative; differences=Content-Type;
\tboundary="{EXO_INNER}"

--{EXO_INNER}
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

{qp(NDR_TEXT)}
--{EXO_INNER}
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

{qp(NDR_HTML)}
--{EXO_INNER}--

--{EXO_OUTER}
Content-Type: message/delivery-status

Reporting-MTA: dns;AM6PR02MB4321.eurprd02.prod.outlook.example
Received-From-MTA: dns;smtp-out.acme.example
Arrival-Date: Mon, 23 Nov 2026 16:02:17 +0000

Final-Recipient: rfc822;alice@customer.example
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient
 alice@customer.example not found by SMTP address lookup

--{EXO_OUTER}
Content-Type: message/rfc822

{OUR_MESSAGE}
--{EXO_OUTER}--
"""

# --- Exchange 2016, German: "Unzustellbar:", UTF-8 quoted-printable notice, headers only --------------

DE_NDR_TEXT = """\
Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:

alice@customer.example
Das Postfach des Empfängers ist voll, und die Nachricht kann derzeit nicht übermittelt werden. Versuchen Sie, die Nachricht später erneut zu senden, oder wenden Sie sich direkt an den Empfänger.

Diagnoseinformationen für Administratoren:

Generierender Server: EXCH01.customer.local

alice@customer.example
Remote Server returned '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded'
"""

DE_OUTER = "_000_0f1e2d3c4b5a69788796a5b4c3d2e1f0EXCH01customerlocal_"

GERMAN_NDR = f"""\
Return-Path: <>
{into_acme("mail.customer.example", "198.51.100.25", "4Hq2xK1rVfz9sVv", "Mon, 23 Nov 2026 16:02:22 +0000 (UTC)")}
From: Microsoft Outlook
\t<MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@customer.example>
To: <{ACME}>
Date: Mon, 23 Nov 2026 17:02:21 +0100
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{DE_OUTER}"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: de-DE
Message-ID: <0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0@EXCH01.customer.local>
In-Reply-To: {OUT_ACME}
References: {ANCHOR_1} {OUT_ACME}
Thread-Topic: {OUR_SUBJECT}
Subject: Unzustellbar: {OUR_SUBJECT}
MIME-Version: 1.0

--{DE_OUTER}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(DE_NDR_TEXT)}
--{DE_OUTER}
Content-Type: message/delivery-status

Reporting-MTA: dns;EXCH01.customer.local
Received-From-MTA: dns;smtp-out.acme.example
Arrival-Date: Mon, 23 Nov 2026 16:02:18 +0000

Final-Recipient: rfc822;alice@customer.example
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp;554 5.2.2 mailbox full;
 STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded

--{DE_OUTER}
Content-Type: text/rfc822-headers

{our_headers()}
--{DE_OUTER}--
"""

# --- Gmail (our outbound relayed through Google Workspace): multipart/related notice with an icon ----

GMAIL_OUTER = "000000000000a1b2c3062a1f0e99"
GMAIL_RELATED = "000000000000a1b2c3062a1f0ea1"
GMAIL_ALT = "000000000000a1b2c3062a1f0ea9"

GMAIL_TEXT = """\

** Address not found **

Your message wasn't delivered to alice@customer.example because the address couldn't be found, or is unable to receive mail.

Learn more here: https://support.google.example/mail/answer/6596

The response from the remote server was:
550 5.1.1 <alice@customer.example>: Recipient address rejected: User unknown in virtual mailbox table
"""

GMAIL_HTML = """\
<html>
<head>
<style>
* {
font-family:Roboto, "Helvetica Neue", Helvetica, Arial, sans-serif;
}
</style>
</head>
<body>
<table cellpadding="0" cellspacing="0" class="email-wrapper" style="padding-top:32px;background-color:#ffffff;"><tbody>
<tr><td>
<table cellpadding=0 cellspacing=0><tbody>
<tr><td style="max-width:560px;padding:24px 24px 32px;background-color:#fafafa;border:1px solid #e0e0e0;border-radius:2px">
<img style="padding:0 24px 16px 0;float:left" width=72 height=72 alt="Error Icon" src="cid:icon.png">
<table style="min-width:272px;padding-top:8px"><tbody>
<tr><td><h2 style="font-size:20px;color:#212121;font-weight:bold;margin:0">
Address not found
</h2></td></tr>
<tr><td style="padding-top:20px;color:#757575;font-size:16px;font-weight:normal;text-align:left">
Your message wasn't delivered to <a style='color:#212121;text-decoration:none'><b>alice@customer.example</b></a> because the address couldn't be found, or is unable to receive mail.
</td></tr>
</tbody></table>
</td></tr>
</tbody></table>
</td></tr>
</tbody></table>
</body>
</html>
"""

GMAIL_DSN = f"""\
Return-Path: <>
{into_acme("mail-sor-f69.google.example", "198.51.100.69", "4Hq2xM2bTgz9sVw", "Mon, 23 Nov 2026 16:02:19 +0000 (UTC)")}
Received: by 2002:a05:6a10:8f0e:b0:5b3:9a1e:4c2d with SMTP id f14csp1234567pxb;
        Mon, 23 Nov 2026 08:02:18 -0800 (PST)
MIME-Version: 1.0
From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>
To: {ACME}
Auto-Submitted: auto-replied
Message-ID: <65606f1a.050a0220.2f5f1.5a3d.GMR@mx.google.example>
Date: Mon, 23 Nov 2026 08:02:18 -0800 (PST)
Subject: Delivery Status Notification (Failure)
References: {OUT_ACME}
In-Reply-To: {OUT_ACME}
X-Failed-Recipients: alice@customer.example
Content-Type: multipart/report; boundary="{GMAIL_OUTER}"; report-type=delivery-status

--{GMAIL_OUTER}
Content-Type: multipart/related; boundary="{GMAIL_RELATED}"

--{GMAIL_RELATED}
Content-Type: multipart/alternative; boundary="{GMAIL_ALT}"

--{GMAIL_ALT}
Content-Type: text/plain; charset="UTF-8"

{GMAIL_TEXT}
--{GMAIL_ALT}
Content-Type: text/html; charset="UTF-8"

{GMAIL_HTML}
--{GMAIL_ALT}--
--{GMAIL_RELATED}
Content-Type: image/png; name="icon.png"
Content-Disposition: attachment; filename="icon.png"
Content-Transfer-Encoding: base64
Content-ID: <icon.png>

{b64(PNG)}
--{GMAIL_RELATED}--
--{GMAIL_OUTER}
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.example
Received-From-MTA: dns; helpdesk-worker-2.acme.example
Arrival-Date: Mon, 23 Nov 2026 08:02:15 -0800 (PST)
X-Original-Message-ID: {OUT_ACME}

Final-Recipient: rfc822; alice@customer.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.customer.example. (198.51.100.25, the server for the domain customer.example.)
Diagnostic-Code: smtp; 550 5.1.1 <alice@customer.example>: Recipient address rejected: User unknown in virtual mailbox table
Last-Attempt-Date: Mon, 23 Nov 2026 08:02:18 -0800 (PST)

--{GMAIL_OUTER}
Content-Type: message/rfc822

DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
        d=acme.example; s=google; t=1795450935; x=1796055735; darn=customer.example;
        h=message-id:date:subject:to:from:from:to:cc:subject:date:message-id:reply-to;
        bh=Zr3v0Qm8kYp2L5xN1tW7bE4cH9uJ6sD0aF3gK2iO8lM=;
        b=ZXhhbXBsZSBzaWduYXR1cmUgb2YgdGhlIHJlbGF5ZWQgbWVzc2FnZQ==
X-Google-Smtp-Source: AGHT+IE8xq2Vv0p9mK3yR7tL1bN5cW4jH6uS0dA2fG8oZ
X-Received: by 2002:a05:6a10:8f0e:b0:5b3:9a1e:4c2d with SMTP id f14mr1234567pxb.2.1795450935123;
        Mon, 23 Nov 2026 08:02:15 -0800 (PST)
Return-Path: <support@acme.example>
Received: from helpdesk-worker-2.acme.example (helpdesk-worker-2.acme.example. [203.0.113.20])
        by smtp-relay.gmail.example with ESMTPS id 98e67ed59e1d1-2ea9a1b2c3dsm123456a91.1.2026.11.23.08.02.15
        for <alice@customer.example>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Mon, 23 Nov 2026 08:02:15 -0800 (PST)
X-Relaying-Domain: acme.example
{our_headers(relay=None)}
{OUR_BODY}
--{GMAIL_OUTER}--
"""

# --- qmail: "failure notice", plain text, the copy below the line; qmail adds no Message-ID ---------

QMAIL = f"""\
Return-Path: <>
{into_acme("mail.customer.example", "198.51.100.25", "4Hq2xP0fHjz9sVx", "Mon, 23 Nov 2026 16:02:17 +0000 (UTC)",
           proto="ESMTP")}
Received: (qmail 12122 invoked for bounce); 23 Nov 2026 16:02:16 -0000
Date: 23 Nov 2026 16:02:16 -0000
From: MAILER-DAEMON@mail.customer.example
To: {ACME}
Subject: failure notice

Hi. This is the qmail-send program at mail.customer.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<alice@customer.example>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Return-Path: <support@acme.example>
Received: (qmail 12118 invoked from network); 23 Nov 2026 16:02:14 -0000
Received: from smtp-out.acme.example (HELO smtp-out.acme.example) (203.0.113.21)
  by mail.customer.example with ESMTPS (ECDHE-RSA-AES256-GCM-SHA384 encrypted); 23 Nov 2026 16:02:14 -0000
{OUR_MESSAGE}"""

# --- Amazon SES DSN (sendmail-style boundary), the message as we handed it to SES attached ---------

SES_BOUNDARY = "RAA14128.1795450940/a8-30.smtp-out.amazonses.example"

AMAZON_SES = f"""\
Return-Path: <>
{into_acme("a8-30.smtp-out.amazonses.example", "198.51.100.230", "4Hq2xR3kMnz9sVy",
           "Mon, 23 Nov 2026 16:02:21 +0000 (UTC)")}
From: MAILER-DAEMON@amazonses.example
To: {ACME}
Subject: Delivery Status Notification (Failure)
Message-ID: <0100018c0a1b2c3d-4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8-000000@email.amazonses.example>
Date: Mon, 23 Nov 2026 16:02:20 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{SES_BOUNDARY}"
X-SES-Outgoing: 2026.11.23-198.51.100.230

This is a MIME-encapsulated message

--{SES_BOUNDARY}

An error occurred while trying to deliver the mail to the following recipients:
alice@customer.example
--{SES_BOUNDARY}
Content-Type: message/delivery-status

Reporting-MTA: dns; a8-30.smtp-out.amazonses.example

Action: failed
Final-Recipient: rfc822; alice@customer.example
Diagnostic-Code: smtp; 550 5.1.1 <alice@customer.example>: Recipient address rejected: User unknown in virtual mailbox table
Status: 5.1.1


--{SES_BOUNDARY}
Content-Type: message/rfc822

{OUR_MESSAGE}
--{SES_BOUNDARY}--
"""

# --- Yahoo Mail: "Failure Notice", plain text in qmail's shape ---------------------------------------

YAHOO = f"""\
Return-Path: <>
{into_acme("sonic301-2.consmr.mail.bf2.yahoo.example", "198.51.100.202", "4Hq2xT1pQrz9sVz",
           "Mon, 23 Nov 2026 16:02:24 +0000 (UTC)")}
Date: Mon, 23 Nov 2026 16:02:23 +0000
From: MAILER-DAEMON@yahoo.example
To: {ACME}
Subject: Failure Notice
X-Yahoo-Newman-Property: bounce

Sorry, we were unable to deliver your message to the following address.

<alice@customer.example>:
554: delivery error: dd Sorry your message to alice@customer.example cannot be delivered. This mailbox is disabled (554.30). - mta4063.mail.bf1.yahoo.example

--- Below this line is a copy of the message.

Received: from 203.0.113.21 (EHLO smtp-out.acme.example)
 by mta4063.mail.bf1.yahoo.example with SMTPS; Mon, 23 Nov 2026 16:02:22 +0000
{OUR_MESSAGE}"""

# --- Not bounces ------------------------------------------------------------------------------------

SIEVE_CUSTOM_SUBJECT = f"""\
Return-Path: <>
{into_acme("imap.customer.example", "198.51.100.26", "4Hr0kP3sW2z9sW4", "Tue, 24 Nov 2026 08:58:03 +0000 (UTC)")}
Message-ID: <dovecot-sieve-1795510682-912475-0@imap.customer.example>
Date: Tue, 24 Nov 2026 09:58:02 +0100
X-Sieve: Pigeonhole Sieve 0.5.21
From: Alice Customer <{ALICE}>
To: <{ACME}>
Subject: Mail delivery to me is paused until 1 December
In-Reply-To: {OUT_ACME}
References: {ANCHOR_1} {OUT_ACME}
Auto-Submitted: auto-replied (vacation)
Precedence: bulk
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

I am on leave and not reading mail until 1 December.
"""

FORWARDED_BOUNCE_INNER = f"""\
Return-Path: <>
Date: Tue, 24 Nov 2026 09:01:12 +0100
From: Mail Delivery System <MAILER-DAEMON@smtp.customer.example>
To: {ALICE}
Subject: Undelivered Mail Returned to Sender
Message-Id: <20261124080112.6E2A1C0452@smtp.customer.example>
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=us-ascii

<sales@old-acme.example>: Host or domain name not found. Name service error
    for name=old-acme.example type=MX: Host not found, try again
"""

FORWARDED_BOUNCE = f"""\
Return-Path: <{ALICE}>
{into_acme("smtp.customer.example", "198.51.100.27", "4Hr0mA1bC3z9sW5", "Tue, 24 Nov 2026 09:04:45 +0000 (UTC)")}
Message-ID: <9b2c4d6e-8f0a-4b1c-9d2e-3f4a5b6c7d8e@customer.example>
Date: Tue, 24 Nov 2026 10:04:43 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: en-GB
To: {ACME}
From: Alice Customer <{ALICE}>
Subject: Fwd: Undelivered Mail Returned to Sender
Content-Type: multipart/mixed; boundary="------------a1B2c3D4e5F6g7H8i9J0k1L2"

This is a multi-part message in MIME format.
--------------a1B2c3D4e5F6g7H8i9J0k1L2
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

Hi, I tried your old sales address from the brochure and got this back.
Which address should I use for orders?

Alice

--------------a1B2c3D4e5F6g7H8i9J0k1L2
Content-Type: message/rfc822; name="Undelivered Mail Returned to Sender.eml"
Content-Disposition: attachment; filename="Undelivered Mail Returned to Sender.eml"

{FORWARDED_BOUNCE_INNER}
--------------a1B2c3D4e5F6g7H8i9J0k1L2--
"""

FIXTURES = [
    fixture("postfix-rfc822-headers", POSTFIX_HEADERS_ONLY,
            "Postfix (our relay) gives up: RFC 3464 report, 8bit, text/rfc822-headers with our Message-ID",
            "bounce", bounce_of=OUT_ACME),
    fixture("postfix-mailbox-full-full-copy", POSTFIX_MAILBOX_FULL,
            "Postfix at the customer's MX bounces later (maildir over quota) with the whole message as "
            "message/rfc822", "bounce", bounce_of=OUT_ACME),
    fixture("exim-plain-text", EXIM_PLAIN,
            "Exim 4.8x plain-text 'Mail delivery failed: returning message to sender' from Mailer-Daemon: the "
            "original's Message-ID only in the copy after the dashes", "bounce", bounce_of=OUT_ACME),
    fixture("exim-dsn", EXIM_DSN,
            "Exim 4.9x RFC 3464 report (boundary ...-eximdsn-..., lowercase Content-type) with References and the "
            "whole original", "bounce", bounce_of=OUT_ACME),
    fixture("sendmail-transcript", SENDMAIL,
            "Sendmail 'Returned mail: see transcript for details': a first part with no Content-Type, "
            "text/rfc822-headers, Auto-Submitted: auto-generated (failure)", "bounce", bounce_of=OUT_ACME),
    fixture("exchange-online-ndr", EXCHANGE_ONLINE_NDR,
            "Exchange Online NDR 'Undeliverable: ...': multipart/alternative notice, folded From and "
            "Diagnostic-Code, the whole original as message/rfc822", "bounce", bounce_of=OUT_ACME),
    fixture("exchange-unzustellbar", GERMAN_NDR,
            "German Exchange 2016 NDR 'Unzustellbar: ...' (mailbox full), UTF-8 quoted-printable notice, headers "
            "only", "bounce", bounce_of=OUT_ACME),
    fixture("gmail-dsn", GMAIL_DSN,
            "Gmail's 'Delivery Status Notification (Failure)' from mailer-daemon@googlemail: multipart/related "
            "notice with the cid icon, X-Original-Message-ID, the relayed original", "bounce", bounce_of=OUT_ACME),
    fixture("qmail-failure-notice", QMAIL,
            "qmail 'failure notice' ('Hi. This is the qmail-send program...'), no Message-ID of its own, the "
            "copy below the line", "bounce", bounce_of=OUT_ACME),
    fixture("amazon-ses", AMAZON_SES,
            "Amazon SES DSN from MAILER-DAEMON@amazonses: untyped notice part, the message as we handed it over",
            "bounce", bounce_of=OUT_ACME),
    fixture("yahoo-failure-notice", YAHOO,
            "Yahoo Mail 'Failure Notice' in qmail's plain-text shape (mailbox disabled, 554.30)", "bounce",
            bounce_of=OUT_ACME),
    fixture("postfix-delayed", POSTFIX_DELAYED,
            "Postfix 'Delayed Mail (still being retried)', Action: delayed: a warning, marks nothing", "ignored"),
    fixture("postfix-success", POSTFIX_SUCCESS,
            "Postfix 'Successful Mail Delivery Report' (NOTIFY=SUCCESS), Action: relayed: good news, marks nothing",
            "ignored"),
    fixture("backscatter", BACKSCATTER,
            "Backscatter: a bounce for spam that forged our address; its Message-ID is none of ours", "ignored"),
    fixture("globex-bounce-at-acme", globex_bounce(ACME),
            "A bounce of Globex's reply delivered to acme: never marks another client's message", "ignored"),
    fixture("globex-bounce-at-globex", globex_bounce(GLOBEX),
            "The same bounce delivered to globex marks Globex's reply", "bounce", client="globex",
            bounce_of=OUT_GLOBEX),
    fixture("vacation-null-sender-delivery-subject", SIEVE_CUSTOM_SUBJECT,
            "A Sieve vacation reply to our message, sent with the null envelope sender and a user-chosen subject "
            "'Mail delivery to me is paused...': an auto-reply on ACME-1, not a bounce of our reply", "appended",
            ticket="ACME-1", auto_reply=True, from_email=ALICE, new_text_contains=["not reading mail until 1 December"]),
    fixture("customer-forwards-bounce", FORWARDED_BOUNCE,
            "A customer forwards a bounce she received (Fwd: Undelivered Mail...) as an attachment: her question "
            "is a new ticket, not a bounce", "created", auto_reply=False, from_email=ALICE,
            subject="Fwd: Undelivered Mail Returned to Sender", new_text_contains=["Which address should I use"],
            attachments=[{"filename": "Undelivered Mail Returned to Sender.eml", "content_type": "message/rfc822"}]),
]
