"""Out-of-office and other automatic replies, as the systems that send them write
them: Exchange/Outlook (OOF, inbox-rule replies, client-side rule templates),
Gmail's vacation responder, Zimbra, iCloud, Dovecot's Sieve vacation, the Unix
vacation program, other helpdesks' acknowledgements. Each is filed flagged as
automatic (never acknowledged, never counted as the customer's reply); one that
answers our reply lands on its ticket. Two human messages that only look a bit
like auto-replies stay human."""

from kit import ACME, ALICE, OUT_ACME, fixture, qp, word_q

OUR_SUBJECT = "Re: [#ACME-1] Printer on fire"


def received(helo: str, host: str, ip: str, queue_id: str, date: str, *, proto: str = "ESMTPS") -> str:
    """The Received line our MX (Postfix at mx.acme.example) puts on top."""
    return (f"Received: from {helo} ({host} [{ip}])\n\tby mx.acme.example (Postfix) with {proto} id {queue_id}\n"
            f"\tfor <{ACME}>; {date}")


def alternative(boundary: str, text: str, html: str, *, charset: str = "us-ascii",
                cte: str = "quoted-printable", quote_charset: bool = True) -> str:
    """A multipart/alternative body (text then HTML), each part quoted-printable or 8bit."""
    label = f'"{charset}"' if quote_charset else charset

    def encode(body: str) -> str:
        return qp(body, charset) if cte == "quoted-printable" else body

    return (f"Content-Type: multipart/alternative;\n\tboundary=\"{boundary}\"\nMIME-Version: 1.0\n\n"
            f"--{boundary}\nContent-Type: text/plain; charset={label}\nContent-Transfer-Encoding: {cte}\n\n"
            f"{encode(text)}\n--{boundary}\nContent-Type: text/html; charset={label}\n"
            f"Content-Transfer-Encoding: {cte}\n\n{encode(html)}\n--{boundary}--\n")


def exchange_html(paragraphs: list[str], lang: str = "en-US", charset: str = "us-ascii") -> str:
    body = "".join(f"<div>{p}</div>\n" for p in paragraphs)
    return (f"<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\">\n"
            "<style type=\"text/css\" style=\"display:none;\"> P {margin-top:0;margin-bottom:0;} </style>\n"
            f"</head>\n<body dir=\"ltr\" lang=\"{lang}\">\n<div id=\"divtagdefaultwrapper\" "
            "style=\"font-size:12pt;color:#000000;font-family:Calibri,Helvetica,sans-serif;\" dir=\"ltr\">\n"
            f"{body}</div>\n</body>\n</html>\n")


# --- Exchange Online: the OOF answers our reply on ACME-1 --------------------------------------------

EXO_OOF_TEXT = """\
Hello,

I am out of the office until Monday 30 November with no access to email.
For anything urgent please contact facilities@customer.example.

Alice
"""

EXCHANGE_ONLINE_OOF = f"""\
Return-Path: <>
{received("EUR03-AM7-obe.outbound.protection.outlook.example",
          "mail-am7eur03on2102.outbound.protection.outlook.example", "198.51.100.102", "4Hr0Lq2Vb9z9sVm",
          "Tue, 24 Nov 2026 08:15:06 +0000 (UTC)")}
ARC-Seal: i=1; a=rsa-sha256; s=arcselector10001; d=microsoft.example; cv=none;
 b=kJ3qv0XoF1pA7yq3n4b9Tq0aYB8mQ0rS1vLxE5p2Wm8c
From: Alice Customer <{ALICE}>
To: Acme Support <{ACME}>
Subject: Automatic reply: {OUR_SUBJECT}
Thread-Topic: [#ACME-1] Printer on fire
Thread-Index: AQHbPk9xAaB3cD4eEfGhIjKlMnOpQgAAAAAB
Date: Tue, 24 Nov 2026 08:15:04 +0000
Message-ID:
 <AM7PR03MB65411F2E8C0A4B3D9E7F6A5B4C3D2E1F@AM7PR03MB6541.eurprd03.prod.outlook.example>
References: {OUT_ACME}
In-Reply-To: {OUT_ACME}
Accept-Language: en-GB, en-US
Content-Language: en-GB
X-MS-Has-Attach:
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: {ALICE}
X-MS-TNEF-Correlator:
x-ms-exchange-parent-message-id: {OUT_ACME}
auto-submitted: auto-generated
x-ms-exchange-generated-message-source: Mailbox Rules Agent
""" + alternative("_000_AM7PR03MB65411F2E8C0A4B3D9E7F6A5B4C3D2E1FAM7PR03MB6541eurp_", EXO_OOF_TEXT,
                  exchange_html(["Hello,", "<br>", "I am out of the office until Monday 30 November with no access "
                                 "to email.", "For anything urgent please contact facilities@customer.example.",
                                 "<br>", "Alice"]))

# --- Exchange 2016 (on premises), German: an OOF to a shipping notice we never filed --------------

DE_OOF_TEXT = """\
Sehr geehrte Damen und Herren,

ich bin bis einschließlich 30.11.2026 nicht im Büro und habe keinen Zugriff auf meine E-Mails.
In dringenden Fällen wenden Sie sich bitte an einkauf@kunde.example.

Mit freundlichen Grüßen
Jonas Berger
"""

EXCHANGE_DE_OOF = f"""\
Return-Path: <>
{received("mail.kunde.example", "mail.kunde.example", "198.51.100.44", "4Hr0Q15kGdz9sVp",
          "Tue, 24 Nov 2026 08:20:13 +0000 (UTC)")}
Received: from EXCH01.kunde.local (10.0.0.21) by EXCH01.kunde.local (10.0.0.21)
 with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384) id 15.1.2507.39; Tue, 24 Nov 2026
 09:20:11 +0100
From: "Berger, Jonas" <j.berger@kunde.example>
To: Acme Support <{ACME}>
Subject: Automatische Antwort: Ihre Bestellung 4411 ist unterwegs
Thread-Topic: Ihre Bestellung 4411 ist unterwegs
Thread-Index: AQHbPlAnqXk0p2C7Rk6QAb3cD4eEfA==
Date: Tue, 24 Nov 2026 08:20:11 +0000
Message-ID: <7c1e2f0a9b8d4e6f8a1b2c3d4e5f6a7b@EXCH01.kunde.local>
References: <shipping-4411.20261124@shop.acme.example>
In-Reply-To: <shipping-4411.20261124@shop.acme.example>
Accept-Language: de-DE, en-US
Content-Language: de-DE
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
X-Auto-Response-Suppress: All
Auto-Submitted: auto-replied
""" + alternative("_000_7c1e2f0a9b8d4e6f8a1b2c3d4e5f6a7bEXCH01kundelocal_", DE_OOF_TEXT,
                  exchange_html(["Sehr geehrte Damen und Herren,", "<br>", "ich bin bis einschließlich 30.11.2026 "
                                 "nicht im Büro und habe keinen Zugriff auf meine E-Mails.", "In dringenden Fällen "
                                 "wenden Sie sich bitte an einkauf@kunde.example.", "<br>",
                                 "Mit freundlichen Grüßen", "Jonas Berger"], "de-DE", "iso-8859-1"),
                  charset="iso-8859-1")

# --- Exchange (2010, German) "Abwesenheitsnotiz": no In-Reply-To, the subject token files it --------

ABWESENHEIT_BODY = qp("Ich bin bis 27.11. im Urlaub. Ihre Nachricht wird nicht weitergeleitet.\n", "iso-8859-1")

ABWESENHEIT = f"""\
Return-Path: <>
{received("mail.customer.example", "mail.customer.example", "198.51.100.25", "4Hr0Rz0m4wz9sVq",
          "Tue, 24 Nov 2026 08:24:40 +0000 (UTC)")}
Received: from EXCHMBX02.customer.local ([fe80::8d3c:21a0:5b1e:77f4]) by
 EXCHCAS01.customer.local ([fe80::a1d2:9e3f:c044:1b2a%11]) with mapi id
 14.03.0513.000; Tue, 24 Nov 2026 09:24:38 +0100
From: Alice Customer <{ALICE}>
To: "{ACME}" <{ACME}>
Subject: Abwesenheitsnotiz: {OUR_SUBJECT}
Thread-Topic: {OUR_SUBJECT}
Thread-Index: AQHbPlHk3mW0Zr5GnEKp4o2k3kD1Xw==
Date: Tue, 24 Nov 2026 08:24:38 +0000
Message-ID: <6B2F8E91C4D5A7439E0F1A2B3C4D5E6F01234567@EXCHMBX02.customer.local>
Accept-Language: de-DE, en-US
Content-Language: de-DE
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

{ABWESENHEIT_BODY}
"""

# --- Outlook desktop (POP account): a rule replying with a template, no automatic headers at all ---

RULE_TEXT = """\
Vielen Dank für Ihre Nachricht.

Ich bin bis zum 30.11. nicht im Büro. Ihre E-Mail wird nach meiner Rückkehr bearbeitet.

Petra Schmidt
"""

RULE_HTML = qp('<html><body lang="DE"><div class="WordSection1"><p class="MsoNormal">Vielen Dank für Ihre '
               'Nachricht.</p><p class="MsoNormal">Ich bin bis zum 30.11. nicht im Büro.</p></div></body></html>\n',
               "iso-8859-1")

OUTLOOK_RULE_TEMPLATE = f"""\
{received("[192.168.178.23]", "p5b0a1c2d.dip0.t-ipconnect.example", "203.0.113.45", "4Hr0T62yZlz9sVr",
          "Tue, 24 Nov 2026 08:41:19 +0000 (UTC)", proto="ESMTPSA")}
From: "Petra Schmidt" <p.schmidt@kunde.example>
To: <{ACME}>
Subject: {word_q("Automatische Antwort: Ich bin bis 30.11. nicht im Büro", "iso-8859-1")}
Date: Tue, 24 Nov 2026 09:41:17 +0100
Message-ID: <000001db3e52$8a1f2c40$9e5d84c0$@kunde.example>
MIME-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="----=_NextPart_000_0001_01DB3E5A.EBE39440"
X-Mailer: Microsoft Outlook 16.0
Thread-Index: AdtAlB9ZxJ3k2p5iQ1mE0nV7rT8uKw==
Content-Language: de

This is a multipart message in MIME format.

------=_NextPart_000_0001_01DB3E5A.EBE39440
Content-Type: text/plain;
\tcharset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{qp(RULE_TEXT, "iso-8859-1")}
------=_NextPart_000_0001_01DB3E5A.EBE39440
Content-Type: text/html;
\tcharset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{RULE_HTML}
------=_NextPart_000_0001_01DB3E5A.EBE39440--
"""

# --- Exchange server-side inbox rule ("reply using a specific message"): x-autoreply: yes ----------

INBOX_RULE_REPLY = f"""\
Return-Path: <ap@customer.example>
{received("EUR05-DB8-obe.outbound.protection.outlook.example",
          "mail-db8eur05on2130.outbound.protection.outlook.example", "198.51.100.130", "4Hr0VX1cQ4z9sVs",
          "Tue, 24 Nov 2026 08:50:02 +0000 (UTC)")}
From: Accounts Payable <ap@customer.example>
To: "Acme Support" <{ACME}>
Subject: Accounts Payable - your message has been received
Thread-Topic: Accounts Payable - your message has been received
Thread-Index: AQHbPlVr2xkq6b0s0k6Zc4Q0Tq3n1A==
Date: Tue, 24 Nov 2026 08:50:00 +0000
Message-ID: <b5d66930e76243eb8bddd885ad3fafdd@DB8PR05MB6003.eurprd05.prod.outlook.example>
Content-Language: en-GB
X-MS-Has-Attach:
x-autoreply: yes
X-MS-Exchange-Inbox-Rules-Loop: ap@customer.example
X-MS-TNEF-Correlator:
x-ms-exchange-transport-fromentityheader: Hosted
x-ms-exchange-parent-message-id: <invoice-77812@billing.acme.example>
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

Thank you for your email. Invoices are processed within 10 working days.=
 Please do not reply to this message.
"""

# --- Gmail / Google Workspace vacation responder, answering our reply ------------------------------

GMAIL_VACATION = f"""\
Return-Path: <{ALICE}>
{received("mail-sor-f41.google.example", "mail-sor-f41.google.example", "198.51.100.41", "4Hr0X2tQ8mz9sVt",
          "Tue, 24 Nov 2026 08:31:46 +0000 (UTC)", proto="SMTPS")}
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
        d=customer.example; s=google; t=1795509105; x=1796113905; darn=acme.example;
        h=in-reply-to:references:auto-submitted:subject:to:from:message-id:date
         :mime-version:from:to:cc:subject:date:message-id:reply-to;
        bh=2cHk0Zr1mQ7bVx3nE8yT5uW9pL4sD6fG1hJ0kA2B3C4=;
        b=Qm9vVG9vVG9vVG9vVG9vVG9vVG9vVG9vVG9vVG9vVG9vVG9vVG9vVG9v
X-Google-Smtp-Source: AGHT+IFq0p3Zk7mW1xYd9vB5nR2tL8cJ4hQ6sE0uA1oG3iK
X-Received: by 2002:a05:6512:3d1a:b0:53d:e5a1:2b3c with SMTP id
 2adb3069b0e04-53de5a12c0dmr412233e87.41.1795509105123; Tue, 24 Nov 2026
 00:31:45 -0800 (PST)
MIME-Version: 1.0
Date: Tue, 24 Nov 2026 00:31:44 -0800
Message-ID: <CAF3x9Nq8vZ+4k2Yd1bTQm7w5Lr0pXcE2sHj6uKa9oGf1nWvB4A@mail.gmail.example>
From: Alice Customer <{ALICE}>
To: {ACME}
Subject: {OUR_SUBJECT}
In-Reply-To: {OUT_ACME}
References: {OUT_ACME}
Auto-Submitted: auto-replied
Precedence: bulk
Content-Type: multipart/alternative; boundary="000000000000f1c2d3062a1f4b7e"

--000000000000f1c2d3062a1f4b7e
Content-Type: text/plain; charset="UTF-8"

Thanks for your email. I'm on holiday until 1 December and will reply when I'm back.

--000000000000f1c2d3062a1f4b7e
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">Thanks for your email. I&#39;m on holiday until 1 December and will reply when I&#39;m back.</div>

--000000000000f1c2d3062a1f4b7e--
"""

# --- Zimbra vacation reply (JavaMail; null envelope sender, In-Reply-To only) -----------------------

ZIMBRA_VACATION = f"""\
Return-Path: <>
{received("mail.customer.example", "mail.customer.example", "198.51.100.25", "4Hr0YkS1r7z9sVv",
          "Tue, 24 Nov 2026 08:33:12 +0000 (UTC)")}
Received: from localhost (localhost [127.0.0.1])
\tby mail.customer.example (Postfix) with ESMTP id 0D2A4C1E3F
\tfor <{ACME}>; Tue, 24 Nov 2026 09:33:11 +0100 (CET)
Date: Tue, 24 Nov 2026 09:33:11 +0100 (CET)
From: Alice Customer <{ALICE}>
To: {ACME}
Message-ID: <1457892631.482913.1795509191123.JavaMail.zimbra@customer.example>
Subject: Re: {OUR_SUBJECT}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit
In-Reply-To: {OUT_ACME}
Auto-Submitted: auto-replied (zimbra; vacation)
Precedence: bulk

I am away until 2 December. Your message will be read when I return.
"""

# --- iCloud Mail vacation reply: Auto-Submitted with an owner-email parameter ------------------------

ICLOUD_BODY = qp("I’m travelling until 3 December with limited access to email. I’ll get back to you then.\n")

ICLOUD_VACATION = f"""\
Return-Path: <erin.customer@icloud.example>
{received("p00-icloudmta-asmtp-us-west-2a-60-percent-3.p00-icloudmta-asmtp-vip.icloud-mail-production.example",
          "p00-icloudmta-asmtp-us-west-2a-60-percent-3.icloud-mail-production.example", "198.51.100.73",
          "4Hr0ZtW3g6z9sVw", "Tue, 24 Nov 2026 08:35:20 +0000 (UTC)")}
From: Erin Customer <erin.customer@icloud.example>
To: Acme Support <{ACME}>
Subject: Re: Your Acme order 7731 has shipped
Date: Tue, 24 Nov 2026 08:35:18 +0000 (UTC)
Message-ID: <a3f9c2e1-7b4d-4e8a-9c6f-2d1b0e5a8f73@me.icloud.example>
Auto-submitted: auto-replied; owner-email="erin.customer@icloud.example"
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{ICLOUD_BODY}
"""

# --- Dovecot Pigeonhole Sieve vacation (RFC 5230 "Auto:" subject, null envelope sender) -------------

SIEVE_VACATION = f"""\
Return-Path: <>
{received("imap.customer.example", "imap.customer.example", "198.51.100.26", "4Hr0bN0fZ2z9sVx",
          "Tue, 24 Nov 2026 08:37:02 +0000 (UTC)")}
Received: from imap.customer.example
\tby imap.customer.example with LMTP
\tid 8Bv5Nf2hQ2eL0gAA0J78UA
\t(envelope-from <>); Tue, 24 Nov 2026 09:37:01 +0100
Message-ID: <dovecot-sieve-1795509421-412786-0@imap.customer.example>
Date: Tue, 24 Nov 2026 09:37:01 +0100
X-Sieve: Pigeonhole Sieve 0.5.21
From: <dana@customer.example>
To: <{ACME}>
Subject: Auto: Your parcel could not be delivered
In-Reply-To: <parcel-4411.20261124@shop.acme.example>
References: <parcel-4411.20261124@shop.acme.example>
Auto-Submitted: auto-replied (vacation)
Precedence: bulk
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

I am on parental leave until January. Please write to orders@customer.example instead.
"""

# --- The classic Unix vacation(1) program: Precedence: junk and a fixed subject ---------------------

UNIX_VACATION = f"""\
Return-Path: <frank@lab.customer.example>
{received("lab.customer.example", "lab.customer.example", "198.51.100.90", "4Hr0cQ2xTpz9sVy",
          "Tue, 24 Nov 2026 08:39:44 +0000 (UTC)", proto="ESMTP")}
Received: (from frank@localhost)
\tby lab.customer.example (8.17.2/8.17.2/Submit) id 5AO8dhE1009321;
\tTue, 24 Nov 2026 09:39:43 +0100
Date: Tue, 24 Nov 2026 09:39:43 +0100
Message-Id: <202611240839.5AO8dhE1009321@lab.customer.example>
From: frank@lab.customer.example (Frank Ops)
To: {ACME}
Subject: away from my mail
Precedence: junk

I will not be reading my mail for a while. Your mail concerning
"Re: [#ACME-2] Old invoice question" will be read when I'm back.
"""

# --- A hosting-panel autoresponder: X-Autorespond only ----------------------------------------------

PANEL_AUTORESPONDER = f"""\
Return-Path: <info@customer-shop.example>
{received("server12.hosting.example", "server12.hosting.example", "203.0.113.12", "4Hr0dW1k3Zz9sVz",
          "Tue, 24 Nov 2026 08:42:09 +0000 (UTC)", proto="ESMTP")}
Received: from info by server12.hosting.example with local (Exim 4.97.1)
\t(envelope-from <info@customer-shop.example>)
\tid 1tFAbc-0004Xy-2K
\tfor {ACME}; Tue, 24 Nov 2026 09:42:08 +0100
To: {ACME}
Subject: Thank you for contacting Customer Shop
X-Autorespond: Thank you for contacting Customer Shop
From: "Customer Shop" <info@customer-shop.example>
Message-Id: <E1tFAbc-0004Xy-2K@server12.hosting.example>
Date: Tue, 24 Nov 2026 09:42:08 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

We have received your message and will answer within two business days.
"""

# --- Another helpdesk (Znuny) acknowledging our reply: Auto-Submitted: auto-generated, X-Loop -------

ZNUNY_ACK = f"""\
Return-Path: <servicedesk@customer.example>
{received("helpdesk.customer.example", "helpdesk.customer.example", "198.51.100.60", "4Hr0fB3y8Qz9sW0",
          "Tue, 24 Nov 2026 08:45:31 +0000 (UTC)", proto="ESMTP")}
From: "Customer Service Desk" <servicedesk@customer.example>
To: "Acme Support" <{ACME}>
Subject: [Ticket#2026112410000123] {OUR_SUBJECT}
Date: Tue, 24 Nov 2026 09:45:30 +0100
Message-ID: <1795509930.412398.742916251@helpdesk.customer.example>
In-Reply-To: {OUT_ACME}
References: <anchor-1@customer.example> {OUT_ACME}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit
X-Mailer: Znuny Mail Service (6.5.11)
X-Powered-By: Znuny (https://www.znuny.org/)
X-Loop: yes
Precedence: bulk
Auto-Submitted: auto-generated

Dear customer,

your request has been received and registered as [Ticket#2026112410000123].
Our service desk will get back to you shortly.

Your Customer Service Desk
"""

# --- French Outlook: "Réponse automatique" with the non-breaking space before the colon --------------

FRENCH_OOF = f"""\
Return-Path: <>
{received("EUR01-PAR1-obe.outbound.protection.outlook.example",
          "mail-par1eur01on2088.outbound.protection.outlook.example", "198.51.100.88", "4Hr0gK2nV1z9sW1",
          "Tue, 24 Nov 2026 08:47:55 +0000 (UTC)")}
From: Alice Customer <{ALICE}>
To: Acme Support <{ACME}>
Subject: =?iso-8859-1?Q?R=E9ponse_automatique=A0:_Re:_[#ACME-1]_Printer_on_fire?=
Thread-Topic: [#ACME-1] Printer on fire
Thread-Index: AQHbPlYh7q0m2k3XTEWn8hQw1p0cHw==
Date: Tue, 24 Nov 2026 08:47:53 +0000
Message-ID: <PR1P264MB2345A8F1C0D2E3B4A5968778695A4B3C@PR1P264MB2345.FRAP264.PROD.OUTLOOK.EXAMPLE>
References: {OUT_ACME}
In-Reply-To: {OUT_ACME}
Accept-Language: fr-FR, en-US
Content-Language: fr-FR
X-MS-Has-Attach:
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: {ALICE}
X-MS-TNEF-Correlator:
auto-submitted: auto-generated
x-ms-exchange-generated-message-source: Mailbox Rules Agent
""" + alternative("_000_PR1P264MB2345A8F1C0D2E3B4A5968778695A4B3CPR1P264MB2345FRAP_",
                  "Bonjour,\n\nJe suis absente jusqu'au 30 novembre inclus.\n\nCordialement,\nAlice\n",
                  exchange_html(["Bonjour,", "<br>", "Je suis absente jusqu'au 30 novembre inclus.", "<br>",
                                 "Cordialement,", "Alice"], "fr-FR", "iso-8859-1"), charset="iso-8859-1")

# --- Human mail that must stay human ----------------------------------------------------------------

AUTO_SUBMITTED_NO = f"""\
Return-Path: <{ALICE}>
{received("smtp.customer.example", "smtp.customer.example", "198.51.100.27", "4Hr0hS0c2Xz9sW2",
          "Tue, 24 Nov 2026 08:52:30 +0000 (UTC)", proto="ESMTPSA")}
From: Alice Customer <{ALICE}>
To: {ACME}
Subject: Toner order for the second floor
Date: Tue, 24 Nov 2026 09:52:28 +0100
Message-ID: <20261124085228.2f9d41c7@alice-laptop.customer.example>
Auto-Submitted: no
X-Mailer: Claws Mail 4.2.0 (GTK 3.24.41; x86_64-pc-linux-gnu)
MIME-Version: 1.0
Content-Type: text/plain; charset=US-ASCII
Content-Transfer-Encoding: 7bit

Hi,

please send two black toner cartridges for the printer on the second floor.

Thanks,
Alice
"""

OUT_OF_OFFICE_HOURS = f"""\
Return-Path: <{ALICE}>
{received("smtp.customer.example", "smtp.customer.example", "198.51.100.27", "4Hr0jD3mL8z9sW3",
          "Tue, 24 Nov 2026 08:55:41 +0000 (UTC)", proto="ESMTPSA")}
Message-ID: <4f7b2c1e-9a3d-4b5e-8c6f-1d2e3a4b5c6d@customer.example>
Date: Tue, 24 Nov 2026 09:55:39 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: en-GB
To: {ACME}
From: Alice Customer <{ALICE}>
Subject: Out of office hours support for the print room?
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

Hello,

does our contract include out of office hours support? The print room
runs a night shift from December.

Alice
"""

FIXTURES = [
    fixture("exchange-online-oof-reply", EXCHANGE_ONLINE_OOF,
            "Exchange Online out-of-office answering our reply on ACME-1 (null envelope sender, "
            "auto-submitted: auto-generated, X-Auto-Response-Suppress: All): recorded on ACME-1, flagged "
            "automatic", "appended", ticket="ACME-1", auto_reply=True, from_email=ALICE,
            new_text_contains=["out of the office until Monday 30 November"]),
    fixture("exchange-2016-automatische-antwort", EXCHANGE_DE_OOF,
            "German Exchange 2016 OOF ('Automatische Antwort:', iso-8859-1 quoted-printable) answering a "
            "message we never filed: a new ticket flagged automatic", "created", auto_reply=True,
            subject="Automatische Antwort: Ihre Bestellung 4411 ist unterwegs", from_email="j.berger@kunde.example",
            text_contains=["nicht im Büro", "Mit freundlichen Grüßen"]),
    fixture("exchange-abwesenheitsnotiz", ABWESENHEIT,
            "German Exchange out-of-office 'Abwesenheitsnotiz:' (Exchange 2010 mailbox server) with only X-Auto-Response-Suppress and no In-Reply-To: "
            "the [#ACME-1] subject token files it on ACME-1, flagged automatic", "appended", ticket="ACME-1",
            auto_reply=True, new_text_contains=["Ich bin bis 27.11. im Urlaub."]),
    fixture("outlook-rule-template", OUTLOOK_RULE_TEMPLATE,
            "Outlook rule 'reply using a specific template' on a POP account: no automatic-mail header at all, "
            "only the subject 'Automatische Antwort: ...' says what it is", "created", auto_reply=True,
            subject="Automatische Antwort: Ich bin bis 30.11. nicht im Büro", from_email="p.schmidt@kunde.example",
            text_contains=["Ich bin bis zum 30.11. nicht im Büro."]),
    fixture("exchange-inbox-rule-x-autoreply", INBOX_RULE_REPLY,
            "Exchange server-side inbox rule reply: x-autoreply: yes is its only automatic marker", "created",
            auto_reply=True, subject="Accounts Payable - your message has been received",
            from_email="ap@customer.example", text_contains=["Invoices are processed within 10 working days."]),
    fixture("gmail-vacation", GMAIL_VACATION,
            "Gmail (Workspace) vacation responder answering our reply: Auto-Submitted: auto-replied, "
            "Precedence: bulk, threaded by In-Reply-To", "appended", ticket="ACME-1", auto_reply=True,
            from_email=ALICE, new_text_contains=["I'm on holiday until 1 December"]),
    fixture("zimbra-vacation", ZIMBRA_VACATION,
            "Zimbra out-of-office ('Auto-Submitted: auto-replied (zimbra; vacation)', null envelope sender, "
            "In-Reply-To only)", "appended", ticket="ACME-1", auto_reply=True,
            new_text_contains=["I am away until 2 December."]),
    fixture("icloud-vacation", ICLOUD_VACATION,
            "iCloud Mail vacation reply: 'Auto-submitted: auto-replied; owner-email=...' (a parameter after "
            "the keyword)", "created", auto_reply=True, subject="Re: Your Acme order 7731 has shipped",
            from_email="erin.customer@icloud.example", text_contains=["I’m travelling until 3 December"]),
    fixture("sieve-vacation-null-sender", SIEVE_VACATION,
            "Dovecot Sieve vacation (null envelope sender, 'Auto:' subject) answering a parcel notice: its "
            "subject says 'could not be delivered', but it is an auto-reply, not a bounce", "created",
            auto_reply=True, subject="Auto: Your parcel could not be delivered", from_email="dana@customer.example",
            text_contains=["parental leave"]),
    fixture("unix-vacation-precedence-junk", UNIX_VACATION,
            "The Unix vacation(1) program: 'Precedence: junk', subject 'away from my mail', an RFC 822 comment "
            "for the name; it quotes a closed ticket's subject but has no thread headers", "created",
            auto_reply=True, subject="away from my mail", from_email="frank@lab.customer.example",
            from_name="Frank Ops"),
    fixture("panel-autoresponder-x-autorespond", PANEL_AUTORESPONDER,
            "A hosting panel's autoresponder (Exim, local delivery): X-Autorespond is its only marker",
            "created", auto_reply=True, subject="Thank you for contacting Customer Shop",
            from_email="info@customer-shop.example", text_contains=["within two business days"]),
    fixture("znuny-ticket-ack", ZNUNY_ACK,
            "The customer's own helpdesk (Znuny) acknowledges our reply: Auto-Submitted: auto-generated, X-Loop, "
            "Precedence: bulk; recorded on ACME-1 and never acknowledged back (no loop)", "appended",
            ticket="ACME-1", auto_reply=True, from_email="servicedesk@customer.example",
            new_text_contains=["registered as [Ticket#2026112410000123]"]),
    fixture("outlook-reponse-automatique", FRENCH_OOF,
            "French Outlook OOF: 'Réponse automatique :' (iso-8859-1 encoded word with a no-break space) "
            "answering our reply", "appended", ticket="ACME-1", auto_reply=True,
            new_text_contains=["Je suis absente jusqu'au 30 novembre inclus."]),
    fixture("auto-submitted-no", AUTO_SUBMITTED_NO,
            "A mail client that states 'Auto-Submitted: no': a person's message, not automatic", "created",
            auto_reply=False, subject="Toner order for the second floor", from_email=ALICE,
            text_contains=["two black toner cartridges"]),
    fixture("out-of-office-hours-question", OUT_OF_OFFICE_HOURS,
            "A person asking about 'out of office hours support': the subject starts with 'Out of office' "
            "but it is not an out-of-office reply", "created", auto_reply=False,
            subject="Out of office hours support for the print room?", from_email=ALICE,
            text_contains=["out of office hours support"]),
]
