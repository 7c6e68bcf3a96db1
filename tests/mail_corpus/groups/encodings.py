"""Charsets and transfer encodings as mail programs really label them: lying
labels, legacy code pages, aliases Python does not know, undeclared 8-bit bytes,
encoded words split mid-character, RFC 2231 parameters."""

from kit import ACME, b64, fixture, join, qp, word_b, word_q


def legacy(slug: str, subject: str, body: bytes, charset_label: str, *, cte: str = "8bit",
           sender: str = "Alice Customer <alice@customer.example>") -> bytes:
    head = (f"From: {sender}\nTo: {ACME}\nSubject: {subject}\nDate: Tue, 24 Nov 2026 09:00:00 +0000\n"
            f"Message-ID: <{slug}@customer.example>\nMIME-Version: 1.0\n")
    content_type = f"Content-Type: text/plain; charset={charset_label}\n" if charset_label else "Content-Type: text/plain\n"
    return join(head + content_type + f"Content-Transfer-Encoding: {cte}\n\n", body, "\n")


FIXTURES = [
    fixture("latin1-label-cp1252-bytes", legacy("cp1252", "Smart quotes", "“Quoted” – costs 5 €".encode("cp1252"),
                                                "iso-8859-1"),
            "Labelled ISO-8859-1, written by Windows in cp1252 (curly quotes, en dash, euro)", "created",
            text_contains=["“Quoted” – costs 5 €"]),
    fixture("windows-1250-polish", legacy("cp1250", word_q("Zażółć gęślą jaźń", "windows-1250"),
                                          "Proszę o fakturę. Dziękuję.".encode("cp1250"), "windows-1250"),
            "Polish in windows-1250, Q encoded subject", "created", subject="Zażółć gęślą jaźń",
            text_contains=["Proszę o fakturę. Dziękuję."]),
    fixture("koi8-r", legacy("koi8r", word_b("Счёт", "koi8-r"), "Пришлите счёт, пожалуйста.".encode("koi8-r"),
                             "koi8-r"),
            "Russian in KOI8-R", "created", subject="Счёт", text_contains=["Пришлите счёт"]),
    fixture("windows-1251", legacy("cp1251", "Invoice", "Здравствуйте, где мой заказ?".encode("cp1251"),
                                   "windows-1251"),
            "Russian in windows-1251", "created", text_contains=["где мой заказ"]),
    fixture("shift-jis", legacy("sjis", word_b("請求書について", "shift_jis"), "請求書を送ってください。".encode("cp932"),
                                "Shift_JIS"),
            "Japanese in Shift_JIS (decoded as Microsoft's cp932 superset)", "created", subject="請求書について",
            text_contains=["請求書を送ってください"]),
    fixture("euc-kr", legacy("euckr", "Order", "주문 상태를 알려주세요.".encode("cp949"), "euc-kr"),
            "Korean labelled EUC-KR", "created", text_contains=["주문 상태를 알려주세요"]),
    fixture("gb2312-label-gbk-bytes", legacy("gbk", "Refund", "退款申请：镕".encode("gb18030"), "gb2312"),
            "Labelled GB2312 with a GBK-only character (镕)", "created", text_contains=["退款申请：镕"]),
    fixture("big5", legacy("big5", "Order", "請問我的訂單何時出貨？".encode("big5"), "big5"),
            "Traditional Chinese in Big5", "created", text_contains=["我的訂單何時出貨"]),
    fixture("windows-874-thai", legacy("thai", "Thai", "สวัสดีครับ ขอใบเสร็จด้วย".encode("cp874"), "windows-874"),
            "Thai in windows-874", "created", text_contains=["สวัสดีครับ"]),
    fixture("hebrew-8859-8-i", legacy("hebrew", "Hebrew", "שלום, אני צריך עזרה".encode("iso-8859-8"),
                                      "iso-8859-8-i"),
            "Hebrew labelled ISO-8859-8-I (logical order)", "created", text_contains=["שלום, אני צריך עזרה"]),
    fixture("unknown-8bit", legacy("unknown8bit", "Unknown", "Grüße aus Köln".encode(), "unknown-8bit"),
            "charset=unknown-8bit over UTF-8 bytes", "created", text_contains=["Grüße aus Köln"]),
    fixture("undeclared-utf8", legacy("undeclared", "Undeclared", "Café crème, s'il vous plaît".encode(), ""),
            "No charset parameter, 8-bit UTF-8 bytes", "created", text_contains=["Café crème"]),
    fixture("ascii-label-utf8-bytes", legacy("asciilie", "Lying label", "naïve résumé".encode(), "us-ascii"),
            "Labelled us-ascii, bytes are UTF-8", "created", text_contains=["naïve résumé"]),
    fixture("utf7", legacy("utf7", "UTF-7", "Hi +AOk-t+AOk-".encode("ascii"), "utf-7", cte="7bit"),
            "UTF-7 body (old webmail)", "created", text_contains=["Hi été"]),
    fixture("split-encoded-word", join(
        f"From: alice@customer.example\nTo: {ACME}\n"
        # "café ☕" in UTF-8 cut in the middle of the é and of the cup, across three encoded words
        "Subject: =?UTF-8?B?Y2Fmw6k=?= =?UTF-8?B?IOKY?= =?UTF-8?B?lQ==?=\n"
        "Message-ID: <splitword@customer.example>\n\nSplit.\n"),
            "Encoded words that split a multi-byte character", "created", subject="café ☕"),
    fixture("raw-utf8-headers", join(
        f"From: Zoë Ångström <zoe@customer.example>\nTo: {ACME}\nSubject: Größe und Farbe\n"
        "Message-ID: <rawutf8@customer.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\nRaw UTF-8 in headers (SMTPUTF8).\n"),
            "Raw UTF-8 in Subject and From (SMTPUTF8 senders)", "created", subject="Größe und Farbe",
            from_name="Zoë Ångström"),
    fixture("raw-latin1-subject", join(
        f"From: alice@customer.example\nTo: {ACME}\nSubject: ", "Réclamation".encode("latin-1"),
        "\nMessage-ID: <rawlatin1@customer.example>\n\nRaw Latin-1 header byte.\n"),
            "A raw Latin-1 byte in the Subject", "created", subject="Réclamation"),
    fixture("rfc2231-continuations", join(
        f"From: alice@customer.example\nTo: {ACME}\nSubject: Long name\nMessage-ID: <rfc2231@customer.example>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\nContent-Type: text/plain\n\n"
        "Attached.\n--x\nContent-Type: application/pdf\nContent-Disposition: attachment;\n"
        " filename*0*=UTF-8''Rechnung%20M%C3%A4rz;\n filename*1*=%202026.pdf\nContent-Transfer-Encoding: base64\n\n"
        + b64(b"%PDF-1.4\n%%EOF\n") + "\n--x--\n"),
            "RFC 2231 filename split in continuations", "created",
            attachments=[{"filename": "Rechnung März 2026.pdf", "content_type": "application/pdf", "inline": False}]),
    fixture("qp-utf8-long-lines", join(
        f"From: alice@customer.example\nTo: {ACME}\nSubject: QP\nMessage-ID: <qplong@customer.example>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + qp("Eine sehr lange Zeile mit Umlauten äöü und ß, die der Sender umbrechen musste, weil sie länger "
             "als sechsundsiebzig Zeichen ist.\n")),
            "Quoted-printable soft line breaks inside UTF-8 sequences", "created",
            text_contains=["Umlauten äöü und ß, die der Sender umbrechen musste"]),
]
