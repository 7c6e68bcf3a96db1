"""Microsoft Outlook (desktop, Outlook.com, Exchange): quoted-printable HTML with
MsoNormal styles, "From:/Sent:" history blocks, winmail.dat, ks_c/cp1252 text,
Thread-Index instead of References on older versions."""

from kit import ACME, ALICE, ANCHOR_1, OUT_ACME, PDF, PNG, b64, fixture, qp, word_b

OUTLOOK_HEADERS = """\
Received: from EUR05-AM6-obe.outbound.protection.outlook.example (mail-am6eur05on2071.outbound.protection.outlook.example [40.107.22.71])
\tby mx.acme.example (Postfix) with ESMTPS id 4Hq2x71Zqwz9sVj
\tfor <support@acme.example>; Tue, 24 Nov 2026 08:15:04 +0000 (UTC)
Thread-Topic: {topic}
Thread-Index: AdnQ3k2X0m5hQ1rHQ0m6VxZ1pRk2Vw==
X-MS-Has-Attach: {has_attach}
X-MS-TNEF-Correlator:
X-Mailer: Microsoft Outlook 16.0
Content-Language: en-US
"""


def outlook(subject: str, message_id: str, body_type: str, *, sender: str = f"Alice Customer <{ALICE}>",
            reply_to: str | None = None, has_attach: str = "", date: str = "Tue, 24 Nov 2026 08:15:02 +0000") -> str:
    head = [f"From: {sender}", f"To: \"Acme Support\" <{ACME}>", f"Subject: {subject}", f"Date: {date}",
            f"Message-ID: {message_id}"]
    if reply_to:
        head += [f"In-Reply-To: {reply_to}", f"References: {reply_to}"]
    extras = OUTLOOK_HEADERS.format(topic=subject.removeprefix("RE: "), has_attach=has_attach)
    return "\n".join(head) + "\n" + extras + "MIME-Version: 1.0\n" + body_type


ALT = "multipart/alternative;\n\tboundary=\"_000_DB9PR07MB71{n}DB9PR07MB7100eurp_\""


def alternative(n: str, text: str, html: str, charset: str = "us-ascii") -> str:
    boundary = f"_000_DB9PR07MB71{n}DB9PR07MB7100eurp_"
    return (f"Content-Type: {ALT.format(n=n)}\n\n--{boundary}\n"
            f"Content-Type: text/plain; charset=\"{charset}\"\nContent-Transfer-Encoding: quoted-printable\n\n"
            f"{qp(text, charset)}\n--{boundary}\n"
            f"Content-Type: text/html; charset=\"{charset}\"\nContent-Transfer-Encoding: quoted-printable\n\n"
            f"{qp(html, charset)}\n--{boundary}--\n")


def mso_html(paragraphs: list[str]) -> str:
    body = "".join(f"<p class=\"MsoNormal\">{p}<o:p></o:p></p>\n" for p in paragraphs)
    return ("<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
            "xmlns:w=\"urn:schemas-microsoft-com:office:word\">\n<head>\n<meta http-equiv=\"Content-Type\" "
            "content=\"text/html; charset=us-ascii\">\n<meta name=\"Generator\" content=\"Microsoft Word 15 "
            "(filtered medium)\">\n<style><!--\n/* Font Definitions */\n@font-face\n\t{font-family:Calibri;}\n"
            "p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;\n\t"
            "font-family:\"Calibri\",sans-serif;}\n--></style>\n</head>\n<body lang=\"EN-US\" link=\"#0563C1\" "
            "vlink=\"#954F72\" style=\"word-wrap:break-word\">\n<div class=\"WordSection1\">\n" + body
            + "</div>\n</body>\n</html>\n")


HISTORY_TEXT = """\

From: Acme Support <support@acme.example>
Sent: Monday, November 23, 2026 4:02 PM
To: Alice Customer <alice@customer.example>
Subject: Re: [#ACME-1] Printer on fire

Have you tried turning it off?
"""

ORIGINAL_MESSAGE = """\

-----Original Message-----
From: Acme Support [mailto:support@acme.example]
Sent: Monday, November 23, 2026 4:02 PM
To: Alice Customer
Subject: RE: [#ACME-1] Printer on fire

Have you tried turning it off?
"""

FIXTURES = [
    fixture(
        "new-ticket-html-alternative",
        outlook("Cannot log in to the portal", "<DB9PR07MB7100A1B2C3D4E5F6A7B8C9D0@DB9PR07MB7100.eurprd07.prod.outlook.example>",
                alternative("00A1", "Hello,\n\nI cannot log in to the portal since this morning.\n\nKind regards,\nAlice\n",
                            mso_html(["Hello,", "I cannot log in to the portal since this morning.",
                                      "Kind regards,<br>Alice"]))),
        "Outlook 365 new message: text/plain + MsoNormal HTML, both quoted-printable",
        "created", subject="Cannot log in to the portal", from_email=ALICE, from_name="Alice Customer",
        text_contains=["cannot log in to the portal"], html_contains=["cannot log in to the portal"],
        html_excludes=["<style", "<meta"], auto_reply=False,
    ),
    fixture(
        "reply-from-sent-block",
        outlook("RE: [#ACME-1] Printer on fire", "<DB9PR07MB7100B1@DB9PR07MB7100.eurprd07.prod.outlook.example>",
                alternative("00B1", "Yes, I turned it off and the smoke stopped.\n\nAlice\n" + HISTORY_TEXT,
                            mso_html(["Yes, I turned it off and the smoke stopped.", "Alice",
                                      "<b>From:</b> Acme Support &lt;support@acme.example&gt;<br><b>Sent:</b> "
                                      "Monday, November 23, 2026 4:02 PM", "Have you tried turning it off?"])),
                reply_to=OUT_ACME),
        "Outlook reply under a From:/Sent: history block, threaded by In-Reply-To our outbound id",
        "appended", ticket="ACME-1", new_text_contains=["the smoke stopped"],
        new_text_excludes=["Have you tried turning it off", "Sent: Monday"], text_contains=["Have you tried"],
    ),
    fixture(
        "reply-original-message-rule",
        outlook("RE: [#ACME-1] Printer on fire", "<000001d9a1b2$c3d4e5f0$4b7cb1d0$@customer.example>",
                "Content-Type: text/plain;\n\tcharset=\"us-ascii\"\nContent-Transfer-Encoding: 7bit\n\n"
                "It started again after lunch.\n" + ORIGINAL_MESSAGE,
                sender=f"\"Customer, Alice\" <{ALICE}>", date="Tue, 24 Nov 2026 13:40:11 +0100"),
        "Outlook 2010 plain text reply with -----Original Message-----, no In-Reply-To: threads by subject token",
        "appended", ticket="ACME-1", from_name="Customer, Alice",
        new_text_contains=["started again after lunch"], new_text_excludes=["Original Message", "turning it off"],
    ),
    fixture(
        "winmail-dat",
        outlook("Contract renewal", "<000101d9a1b2$aa00bb00$cc00dd00$@customer.example>",
                "Content-Type: multipart/mixed;\n\tboundary=\"----=_NextPart_000_0001_01D9A1B2.AA00BB00\"\n\n"
                "This is a multi-part message in MIME format.\n\n"
                "------=_NextPart_000_0001_01D9A1B2.AA00BB00\nContent-Type: text/plain;\n\tcharset=\"us-ascii\"\n"
                "Content-Transfer-Encoding: 7bit\n\nPlease see the renewal terms attached.\n\n"
                "------=_NextPart_000_0001_01D9A1B2.AA00BB00\nContent-Type: application/ms-tnef;\n\tname=\"winmail.dat\"\n"
                "Content-Transfer-Encoding: base64\nContent-Disposition: attachment;\n\tfilename=\"winmail.dat\"\n\n"
                + b64(b"\x78\x9f\x3e\x22\x00\x00\x01\x06\x90\x08\x00\x04\x00\x00\x00\x00\x00\x01\x00\x01\x00")
                + "\n\n------=_NextPart_000_0001_01D9A1B2.AA00BB00--\n", has_attach="yes"),
        "Outlook with Rich Text format: the body comes as text, the rest as winmail.dat (TNEF) kept as attachment",
        "created", text_contains=["renewal terms"],
        attachments=[{"filename": "winmail.dat", "content_type": "application/ms-tnef", "inline": False}],
    ),
    fixture(
        "inline-signature-logo",
        outlook("Broken screen", "<DB9PR07MB7100C1@DB9PR07MB7100.eurprd07.prod.outlook.example>",
                "Content-Type: multipart/related;\n\tboundary=\"_004_DB9PR07MB7100C1_\";\n\ttype=\"multipart/alternative\"\n\n"
                "--_004_DB9PR07MB7100C1_\n" + alternative(
                    "00C1", "The screen is cracked.\n\n[cid:image001.png@01D9A1B2.AA00BB00]\n",
                    mso_html(["The screen is cracked.",
                              "<img width=\"1\" height=\"1\" src=\"cid:image001.png@01D9A1B2.AA00BB00\" alt=\"logo\">"]))
                + "\n--_004_DB9PR07MB7100C1_\nContent-Type: image/png; name=\"image001.png\"\n"
                "Content-Description: image001.png\nContent-Disposition: inline; filename=\"image001.png\"; size=70\n"
                "Content-ID: <image001.png@01D9A1B2.AA00BB00>\nContent-Transfer-Encoding: base64\n\n"
                + b64(PNG) + "\n\n--_004_DB9PR07MB7100C1_--\n", has_attach="yes"),
        "Outlook HTML with the signature logo as a cid: inline image in multipart/related",
        "created", text_contains=["screen is cracked"], html_contains=["/inline"], html_excludes=["cid:"],
        attachments=[{"filename": "image001.png", "content_type": "image/png", "inline": True}],
    ),
    fixture(
        "pdf-attachment",
        outlook("Invoice 2026-118 is wrong", "<DB9PR07MB7100D1@DB9PR07MB7100.eurprd07.prod.outlook.example>",
                "Content-Type: multipart/mixed;\n\tboundary=\"_005_DB9PR07MB7100D1_\"\n\n--_005_DB9PR07MB7100D1_\n"
                + alternative("00D1", "The amount on the attached invoice is wrong.\n",
                              mso_html(["The amount on the attached invoice is wrong."]))
                + "\n--_005_DB9PR07MB7100D1_\nContent-Type: application/pdf; name=\"Invoice 2026-118.pdf\"\n"
                "Content-Description: Invoice 2026-118.pdf\nContent-Disposition: attachment;\n"
                "\tfilename=\"Invoice 2026-118.pdf\"; size=82;\n\tcreation-date=\"Tue, 24 Nov 2026 08:10:00 GMT\"\n"
                "Content-Transfer-Encoding: base64\n\n" + b64(PDF) + "\n\n--_005_DB9PR07MB7100D1_--\n",
                has_attach="yes"),
        "Outlook message with a PDF attachment whose name has spaces",
        "created", subject="Invoice 2026-118 is wrong", text_contains=["amount on the attached invoice"],
        attachments=[{"filename": "Invoice 2026-118.pdf", "content_type": "application/pdf", "inline": False}],
    ),
    fixture(
        "encoded-display-name",
        outlook(word_b("Rückfrage zur Lieferung", "iso-8859-1"), "<DB9PR07MB7100E1@DB9PR07MB7100.eurprd07.prod.outlook.example>",
                alternative("00E1", "Guten Tag,\n\nwann kommt die Lieferung?\n\nMit freundlichen Grüßen\nJürgen Müller\n",
                            mso_html(["Guten Tag,", "wann kommt die Lieferung?", "Mit freundlichen Grüßen<br>Jürgen"]),
                            charset="iso-8859-1"),
                sender=f"{word_b('Müller, Jürgen', 'iso-8859-1')} <juergen.mueller@kunde.example>"),
        "German Outlook: B-encoded ISO-8859-1 subject and name, quoted-printable Latin-1 bodies",
        "created", subject="Rückfrage zur Lieferung", from_name="Müller, Jürgen",
        from_email="juergen.mueller@kunde.example", text_contains=["Mit freundlichen Grüßen"],
    ),
    fixture(
        "korean-ks-c-5601",
        "\n".join([
            f"From: {word_b('김민수', 'ks_c_5601-1987')} <minsu.kim@customer.example>", f"To: {ACME}",
            f"Subject: {word_b('로그인 오류 문의', 'ks_c_5601-1987')}", "Date: Tue, 24 Nov 2026 17:02:00 +0900",
            "Message-ID: <SL2P216MB1234F1@SL2P216MB1234.KORP216.PROD.OUTLOOK.EXAMPLE>",
            "X-Mailer: Microsoft Outlook 16.0", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=\"ks_c_5601-1987\"", "Content-Transfer-Encoding: base64", "",
            b64("안녕하세요. 로그인이 되지 않습니다.\n", "cp949"), ""]),
        "Korean Outlook: ks_c_5601-1987 (cp949) subject, name and base64 body",
        "created", subject="로그인 오류 문의", from_name="김민수", text_contains=["로그인이 되지 않습니다"],
    ),
    fixture(
        "thread-index-only",
        outlook("RE: Printer on fire", "<DB9PR07MB7100F1@DB9PR07MB7100.eurprd07.prod.outlook.example>",
                "Content-Type: text/plain; charset=\"us-ascii\"\nContent-Transfer-Encoding: 7bit\n\n"
                "Any news on this?\n"),
        "Outlook reply that kept only Thread-Index (no In-Reply-To, no token): a new ticket, not a guess",
        "created", subject="RE: Printer on fire", text_contains=["Any news on this?"],
    ),
    fixture(
        "outlook-com-reply-underscore-rule",
        outlook("RE: [#ACME-1] Printer on fire", "<AM0PR02MB5555AA@AM0PR02MB5555.eurprd02.prod.outlook.example>",
                "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: base64\n\n"
                + b64("Thanks, it works now – closing from my side.\n\n"
                      "________________________________\nFrom: Acme Support <support@acme.example>\n"
                      "Sent: 23 November 2026 16:02\nTo: Alice Customer <alice@customer.example>\n"
                      "Subject: Re: [#ACME-1] Printer on fire\n\nHave you tried turning it off?\n") + "\n",
                reply_to=ANCHOR_1),
        "Outlook.com reply: base64 UTF-8 body, history under a line of underscores",
        "appended", ticket="ACME-1", new_text_contains=["it works now – closing"],
        new_text_excludes=["turning it off", "________________________________"],
    ),
]
