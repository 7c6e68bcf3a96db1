"""Malformed mail. What a mail client would still show is filed with the text it
shows (missing headers, broken MIME structure, damaged base64 and
quoted-printable, odd line ends and folding); what cannot be a message at all
goes to the quarantine with its reason."""

import base64

from kit import ACME, ANCHOR_1, PDF, b64, fixture

CUSTOMER = "Alice Customer <alice@customer.example>"


def head(slug: str, subject: str, *, sender: str = CUSTOMER, date: str | None = "Tue, 24 Nov 2026 10:04:31 +0100",
         extra: str = "") -> str:
    lines = [f"From: {sender}", f"To: {ACME}", f"Subject: {subject}"]
    lines += [f"Date: {date}"] if date else []
    lines += [f"Message-ID: <{slug}@customer.example>"] if slug else []
    return "\n".join(lines) + "\n" + extra


def plain(text: str, *, charset: str = "utf-8", cte: str = "8bit") -> str:
    return f"MIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {cte}\n\n{text}"


REPORT = "Die Sicherung von server1 ist fehlgeschlagen: Datenträger voll (98 %).\n"
CUT_PDF = base64.b64encode(PDF * 40).decode()[:1601]  # cut one character past a whole group
CUT_TEXT = base64.b64encode("Guten Tag, anbei das Angebot. Die Übertragung brach später ab.\n".encode()).decode()

FIXTURES = [
    fixture("script-base64-without-mime-version",
            "From: Backup Script <backup@server1.customer.example>\nTo: support@acme.example\n"
            "Subject: Backup failed on server1\nDate: Tue, 24 Nov 2026 03:00:02 +0100\n"
            "Message-ID: <20261124030002.7F3A1@server1.customer.example>\n"
            "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n" + b64(REPORT) + "\n",
            "A shell script writes Content-Type and a base64 body but no MIME-Version: decoded all the same",
            "created", subject="Backup failed on server1", text_contains=[REPORT.strip()]),
    fixture("truncated-no-closing-boundary",
            head("truncated", "Angebot 2026", extra="X-Mailer: Microsoft Outlook 16.0\n")
            + "MIME-Version: 1.0\nContent-Type: multipart/mixed;\n\tboundary=\"----=_NextPart_000_00A1_01DB3E2F.6B1C9A40\"\n\n"
            "This is a multipart message in MIME format.\n\n------=_NextPart_000_00A1_01DB3E2F.6B1C9A40\n"
            "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: base64\n\n" + CUT_TEXT
            + "\n\n------=_NextPart_000_00A1_01DB3E2F.6B1C9A40\n"
            "Content-Type: application/pdf; name=\"Angebot.pdf\"\nContent-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename=\"Angebot.pdf\"\n\n"
            + "\n".join(CUT_PDF[i:i + 76] for i in range(0, len(CUT_PDF), 76)) + "\n",
            "A relay cut the message off inside the attachment: no closing boundary, the base64 stops one "
            "character past a whole group; the text and the (partial) file are kept", "created",
            text_contains=["Guten Tag, anbei das Angebot. Die Übertragung brach später ab."],
            attachments=[{"filename": "Angebot.pdf", "content_type": "application/pdf", "inline": False}]),
    fixture("base64-cut-mid-group",
            head("b64cut", "Kurze Frage") + plain(CUT_TEXT[:-3] + "\n", cte="base64"),
            "A text body whose base64 ends one character past a whole group (cut in transit): the whole groups "
            "are decoded, not shown as base64", "created",
            text_contains=["Guten Tag, anbei das Angebot. Die Übertragung brach später"]),
    fixture("boundary-mismatch",
            head("mismatch", "Kontaktformular", sender="Website <www@customer.example>",
                 extra="X-Mailer: PHP/7.4.33\nReply-To: alice@customer.example\n")
            + "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"b1_5f0e6c2a9d\"\n\n"
            "--b1_5f0e6c2a9e\nContent-Type: text/plain; charset=utf-8\n\nNachricht: Bitte rufen Sie mich zurück.\n"
            "--b1_5f0e6c2a9e\nContent-Type: text/html; charset=utf-8\n\n<p>Nachricht: Bitte rufen Sie mich zurück.</p>\n"
            "--b1_5f0e6c2a9e--\n",
            "A form script declares one boundary and writes another: the body is kept as text (as a mail client "
            "shows it), not lost and not turned into a file", "created",
            text_contains=["Nachricht: Bitte rufen Sie mich zurück."], attachments=[]),
    fixture("unquoted-boundary-with-equals",
            head("unquoted", "Re: Zugangsdaten", extra="X-Mailer: Microsoft Office Outlook 12.0\n")
            + "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=----=_NextPart_000_0012_01DA1F2B.5C6D7E80\n\n"
            "------=_NextPart_000_0012_01DA1F2B.5C6D7E80\nContent-Type: text/plain; charset=\"us-ascii\"\n\n"
            "The new password works, thanks.\n------=_NextPart_000_0012_01DA1F2B.5C6D7E80\n"
            "Content-Type: text/html; charset=\"us-ascii\"\n\n<p>The new password <b>works</b>, thanks.</p>\n"
            "------=_NextPart_000_0012_01DA1F2B.5C6D7E80--\n",
            "An unquoted boundary parameter containing \"=\" (not a valid token): the parts are still found",
            "created", text_contains=["The new password works, thanks."], html_contains=["<b>works</b>"]),
    fixture("multipart-without-boundary",
            head("noboundary", "Status report") + "MIME-Version: 1.0\nContent-Type: multipart/mixed\n\n"
            "The nightly import finished with 3 warnings.\n",
            "multipart/mixed with no boundary parameter at all: the body is shown as text", "created",
            text_contains=["The nightly import finished with 3 warnings."], attachments=[]),
    fixture("base64-garbage-and-missing-padding",
            head("b64garbage", "Rechnung falsch", extra="X-Mailer: Lotus Notes Release 8.5.3\n")
            + plain("SGFsbG8sIGRpZSBSZWNobnVuZyBp  \nc3QgZmFsc2NoOiBzdGF0dCAxMjAg4oKs\n!!!\t\n"
                    "IHN0ZWhlbiBkb3J0IDIxMCDigqwu\nIEdyw7zDn2U\n", cte="base64"),
            "base64 with uneven lines, trailing blanks, a stray non-alphabet line and no final padding",
            "created", text_contains=["Hallo, die Rechnung ist falsch: statt 120 € stehen dort 210 €. Grüße"]),
    fixture("quoted-printable-soft-breaks-with-trailing-blanks",
            head("qpblanks", "Lieferung", extra="X-Mailer: Novell GroupWise Internet Agent 18.4.1\n")
            + plain("Die Lieferung kam besch=C3=A4digt an; der Karton war aufgeriss= \nen und die Ger=\t\n"
                    "=C3=A4te fehlen. Bitte =c3=bcberpr=c3=bcfen Sie das. Rabatt =3D 10 %, nicht =XY.=\n",
                    cte="quoted-printable"),
            "Quoted-printable whose soft line breaks got trailing blanks in transit (\"= \" at the line end, "
            "which RFC 2045 says to strip), lower-case hex, an invalid escape kept as it is", "created",
            text_contains=["der Karton war aufgerissen und die Geräte fehlen.", "Bitte überprüfen Sie das.",
                           "Rabatt = 10 %, nicht =XY."]),
    fixture("lf-only-line-ends",
            (head("lfonly", "Logfile attached", sender="Build Bot <ci@build.customer.example>",
                  extra="X-Mailer: msmtp 1.8.22\n")
             + "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"=-=-=\"\n\n--=-=-=\n"
             "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
             "Build #8812 fehlgeschlagen =E2=80=93 Log anbei.\n--=-=-=\n"
             "Content-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename=build.log\n"
             "Content-Transfer-Encoding: base64\n\n" + b64("ERROR: disk full\n") + "\n--=-=-=--\n").encode(),
            "A Unix pipe (msmtp) sends LF-only line ends: MIME structure, quoted-printable and base64 all still work",
            "created", text_contains=["Build #8812 fehlgeschlagen – Log anbei."],
            attachments=[{"filename": "build.log", "content_type": "text/plain", "inline": False}]),
    fixture("cr-only-line-ends",
            (head("cronly", "Order 5521", extra="X-Mailer: Eudora Pro 4.0 (Macintosh)\n")
             + plain("Please cancel order 5521.\nThe second line.\n", charset="us-ascii", cte="7bit"))
            .replace("\n", "\r").encode(),
            "Classic Mac OS line ends (bare CR) throughout headers and body", "created",
            subject="Order 5521", text_contains=["Please cancel order 5521.\nThe second line."]),
    fixture("outlook-tab-folded-headers",
            "From: \"Customer, Alice\"\n\t<alice@customer.example>\nTo: \"Acme Support\"\n\t<support@acme.example>\n"
            "Subject: =?utf-8?Q?R=C3=BCckfrage_zur_Rechnung_2026-11_und_zur_?=\n\t=?utf-8?Q?Lieferung_nach_K=C3=B6ln?=\n"
            "Date: Tue, 24 Nov 2026\n\t10:04:31 +0100\nMessage-ID:\n\t<tabfold@customer.example>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain;\n\tcharset=\"utf-8\"\nContent-Transfer-Encoding: 8bit\n\n"
            "Folded with tabs.\n",
            "Outlook folds with a tab: the display name, the encoded-word subject (the fold between two encoded "
            "words is not a space), the Message-ID and the charset parameter on continuation lines", "created",
            subject="Rückfrage zur Rechnung 2026-11 und zur Lieferung nach Köln", from_name="Customer, Alice",
            from_email="alice@customer.example", text_contains=["Folded with tabs."]),
    fixture("missing-date",
            head("nodate", "No Date header", date=None, extra="User-Agent: Roundcube Webmail/1.6.6\n")
            + plain("Sent without a Date header.\n"),
            "No Date header (a misconfigured webmail): filed with our receive time", "created",
            subject="No Date header", text_contains=["Sent without a Date header."]),
    fixture("missing-message-id",
            head("", "No Message-ID header", extra="X-Mailer: Microsoft CDO for Windows 2000\n")
            + plain("Sent without a Message-ID; the raw bytes identify it.\n"),
            "No Message-ID (an old Windows CDO script): filed, deduplicated by the hash of the raw bytes",
            "created", subject="No Message-ID header",
            text_contains=["Sent without a Message-ID; the raw bytes identify it."]),
    fixture("message-id-without-brackets",
            head("", "Bare Message-ID", extra="Message-ID: 20261124100431.GA4711@customer.example\n")
            + plain("The Message-ID has no angle brackets.\n"),
            "A Message-ID without angle brackets is still read", "created", subject="Bare Message-ID",
            text_contains=["The Message-ID has no angle brackets."]),
    fixture("in-reply-to-without-brackets",
            head("nobrackets-reply", "Re: Printer on fire",
                 extra=f"In-Reply-To: {ANCHOR_1.strip('<>')}\nReferences: {ANCHOR_1.strip('<>')}\n")
            + plain("It is still smoking.\n"),
            "In-Reply-To and References without angle brackets still thread the reply onto ACME-1", "appended",
            ticket="ACME-1", text_contains=["It is still smoking."]),
    fixture("duplicate-from-headers",
            "From: Alice Customer <alice@customer.example>\nFrom: Mallory <mallory@customer.example>\n"
            f"To: {ACME}\nSubject: Two From headers\nDate: Tue, 24 Nov 2026 10:04:31 +0100\n"
            "Message-ID: <twofrom@customer.example>\n" + plain("Which sender?\n"),
            "Two From headers (a broken relay prepended one): the first is the sender", "created",
            from_email="alice@customer.example", from_name="Alice Customer"),
    fixture("duplicate-mime-headers",
            head("twomime", "Doppelte Header", extra="X-Mailer: PHPMailer 5.2.1\nMIME-Version: 1.0\n"
                 "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n")
            + "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
            "Die Größe stimmt nicht.\n",
            "MIME-Version, Content-Type and Content-Transfer-Encoding each twice with different charsets: "
            "the first wins, and the text reads right", "created", text_contains=["Die Größe stimmt nicht."]),
    fixture("garbage-date",
            head("garbagedate", "Date from nowhere", date="Tue, 31 Feb 2026 25:61:00 +2500 (Tuesday-ish)")
            + plain("Sent with a date that does not exist.\n"),
            "An impossible Date: ignored, filed with our receive time", "created", subject="Date from nowhere",
            text_contains=["Sent with a date that does not exist."]),
    fixture("from-without-address-reply-to",
            head("noaddress", "Anfrage", sender="Alice Customer",
                 extra="Reply-To: Alice Customer <alice@customer.example>\n") + plain("Bitte an Reply-To antworten.\n"),
            "From holds only a display name: the Reply-To address is the sender", "created",
            from_email="alice@customer.example", from_name="Alice Customer",
            text_contains=["Bitte an Reply-To antworten."]),
    fixture("cron-local-sender",
            "From: root (Cron Daemon)\nTo: support@acme.example\nSubject: Cron <root@server1> /usr/local/bin/sync\n"
            "Date: Tue, 24 Nov 2026 03:00:01 +0100\nMessage-ID: <20261124020001.C0FFEE@server1>\n"
            "Content-Type: text/plain; charset=UTF-8\nX-Cron-Env: <SHELL=/bin/sh>\n\nrsync: connection refused\n",
            "cron's mail from a bare local user (no domain), no Reply-To, no Return-Path: nobody to answer",
            "quarantined", reason_contains="no sender address"),
    fixture("headers-only",
            head("headersonly", "Call me back (see subject)", extra="X-Mailer: iPhone Mail (21B101)\n")
            + "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n",
            "Only headers, not even the blank line before a body: the subject is the message", "created",
            subject="Call me back (see subject)"),
    fixture("empty-request-body", b"",
            "Zero bytes posted: kept, quarantined as empty (the endpoint still answers 202)", "quarantined",
            reason_contains="empty message"),
    fixture("proxy-error-page",
            "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n"
            "<hr><center>nginx</center>\n</body>\n</html>\n",
            "An HTML error page from a proxy posted in place of the message", "quarantined",
            reason_contains="not an email"),
    fixture("provider-json-payload",
            '{"FromFull": {"Email": "alice@customer.example", "Name": "Alice"}, "Subject": "Help", '
            '"TextBody": "Printer on fire", "MessageID": "b7bc2f4a-e38e-4336-af7d-e6c392c2f817"}\n',
            "A provider's JSON webhook sent to the raw-MIME endpoint", "quarantined", reason_contains="not an email"),
    fixture("mbox-from-line",
            "From alice@customer.example Tue Nov 24 10:04:31 2026\n" + head("mbox", "Exported from mbox")
            + plain(">From the archive: this line was escaped by mbox.\n"),
            "A message saved from an mbox file, with its \"From \" separator line first", "created",
            subject="Exported from mbox", from_email="alice@customer.example",
            text_contains=["From the archive: this line was escaped by mbox."]),
]
