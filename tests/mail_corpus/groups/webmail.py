"""Webmail: Yahoo, Outlook on the web, Proton Mail, Zoho, GMX/Web.de, Roundcube,
Fastmail, Yandex, QQ Mail (GBK) and Mail.ru, each with its own boundary style,
quoting markup and charset habits."""

from kit import ACME, ALICE, ANCHOR_1, OUT_ACME, b64, fixture, qp, word_b


def webmail(subject: str, message_id: str, content: str, *, sender: str = f"Alice Customer <{ALICE}>",
            reply_to: str | None = None, extra: str = "") -> str:
    lines = ["Date: Tue, 24 Nov 2026 09:15:02 +0000 (UTC)", f"From: {sender}", f"To: {ACME}",
             f"Message-ID: {message_id}"]
    if reply_to:
        lines += [f"In-Reply-To: {reply_to}", f"References: {reply_to}"]
    lines.append(f"Subject: {subject}")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\nMIME-Version: 1.0\n" + content


def alternative(boundary: str, text: str, html: str, *, charset: str = "UTF-8", cte: str = "quoted-printable",
                preamble: str = "") -> str:
    codec = charset.strip('"')
    encode = (lambda s: qp(s, codec)) if cte == "quoted-printable" else (lambda s: b64(s, codec))
    return (f"Content-Type: multipart/alternative; \n\tboundary=\"{boundary}\"\n\n{preamble}--{boundary}\n"
            f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {cte}\n\n{encode(text)}\n"
            f"--{boundary}\nContent-Type: text/html; charset={charset}\nContent-Transfer-Encoding: {cte}\n\n"
            f"{encode(html)}\n--{boundary}--\n")


FIXTURES = [
    fixture(
        "yahoo-new",
        webmail("Cannot cancel subscription", "<1234567890.1122334.1795511702123@mail.yahoo.example>",
                alternative("----=_Part_1122334_987654321.1795511702120",
                            "Hello, the cancel button does nothing.",
                            "<html><head></head><body><div class=\"ydp1a2b3c4dyahoo-style-wrap\" style=\"font-family:"
                            "Helvetica Neue, Helvetica, Arial, sans-serif;font-size:13px;\"><div dir=\"ltr\" "
                            "data-setdir=\"false\">Hello, the cancel button does nothing.</div></div></body></html>"),
                extra="X-Mailer: WebService/1.1.22876 YMailNorrin"),
        "Yahoo Mail: ----=_Part_ boundary, quoted-printable, ydp wrapper div",
        "created", subject="Cannot cancel subscription", text_contains=["cancel button does nothing"],
        html_contains=["cancel button does nothing"],
    ),
    fixture(
        "yahoo-reply-quoted",
        webmail("Re: [#ACME-1] Printer on fire", "<2345678901.2233445.1795511702234@mail.yahoo.example>",
                alternative("----=_Part_2233445_876543210.1795511702230",
                            "Thanks, replacing the toner fixed it.\n\n    On Monday, November 23, 2026 at 04:02:11 PM "
                            "GMT+1, Acme Support <support@acme.example> wrote:  \n \n Have you tried turning it off?\n",
                            "<div>Thanks, replacing the toner fixed it.</div><div id=\"yahoo_quoted_1122\" "
                            "class=\"yahoo_quoted\"><div>On Monday, November 23, 2026 at 04:02:11 PM GMT+1, Acme "
                            "Support &lt;support@acme.example&gt; wrote:</div><div>Have you tried turning it off?"
                            "</div></div>"),
                reply_to=OUT_ACME, extra="X-Mailer: WebService/1.1.22876 YMailNorrin"),
        "Yahoo reply: indented 'On <weekday>, <date> ... wrote:' with trailing spaces, yahoo_quoted div",
        "appended", ticket="ACME-1", new_text_contains=["replacing the toner fixed it"],
        new_text_excludes=["turning it off"],
    ),
    fixture(
        "owa-reply",
        webmail("RE: [#ACME-1] Printer on fire", "<PAXPR08MB6789ABCDEF@PAXPR08MB6789.eurprd08.prod.outlook.example>",
                alternative("_000_PAXPR08MB6789ABCDEF_",
                            "The fire brigade has been.\n\n________________________________\n"
                            "From: Acme Support <support@acme.example>\nSent: 23 November 2026 16:02\n"
                            "To: Alice Customer <alice@customer.example>\nSubject: Re: [#ACME-1] Printer on fire\n\n"
                            "Have you tried turning it off?\n",
                            "<div class=\"elementToProof\">The fire brigade has been.</div><hr style=\"display:"
                            "inline-block;width:98%\" tabindex=\"-1\"><div id=\"divRplyFwdMsg\" dir=\"ltr\"><b>From:"
                            "</b> Acme Support<br><b>Sent:</b> 23 November 2026 16:02</div><div>Have you tried "
                            "turning it off?</div>", charset="iso-8859-1"),
                reply_to=ANCHOR_1, extra="x-ms-exchange-messagesentrepresentingtype: 1"),
        "Outlook on the web reply: elementToProof, divRplyFwdMsg, history under an underscore rule",
        "appended", ticket="ACME-1", new_text_contains=["fire brigade has been"],
        new_text_excludes=["turning it off"],
    ),
    fixture(
        "proton-signed-pgp-keys",
        webmail("Data export request", "<kXq3YbZ9aW1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3aB4cD5eF6gH7iJ8kL9mN0oP=@proton.example>",
                "Content-Type: multipart/mixed;boundary=---------------------a1b2c3d4e5f60718293a4b5c6d7e8f90\n\n"
                "-----------------------a1b2c3d4e5f60718293a4b5c6d7e8f90\n"
                "Content-Type: multipart/related;boundary=---------------------0f9e8d7c6b5a4938271605f4e3d2c1b0\n\n"
                "-----------------------0f9e8d7c6b5a4938271605f4e3d2c1b0\n"
                "Content-Type: text/html;charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                + b64("<div style=\"font-family: Arial, sans-serif; font-size: 14px;\">Please send me an export of "
                      "all my data (GDPR art. 15).</div><div class=\"protonmail_signature_block\"><div "
                      "class=\"protonmail_signature_block-proton\">Sent with <a target=\"_blank\" "
                      "href=\"https://proton.example/\">Proton Mail</a> secure email.</div></div>")
                + "\n-----------------------0f9e8d7c6b5a4938271605f4e3d2c1b0--\n"
                "-----------------------a1b2c3d4e5f60718293a4b5c6d7e8f90\n"
                "Content-Type: application/pgp-keys; filename=\"publickey - alice@proton.example - 0x1A2B3C4D.asc\"; "
                "name=\"publickey - alice@proton.example - 0x1A2B3C4D.asc\"\nContent-Transfer-Encoding: base64\n"
                "Content-Disposition: attachment; filename=\"publickey - alice@proton.example - 0x1A2B3C4D.asc\"; "
                "name=\"publickey - alice@proton.example - 0x1A2B3C4D.asc\"\n\n"
                + b64("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ0MAABYJKwYBBAHaRw8BAQdA\n"
                      "-----END PGP PUBLIC KEY BLOCK-----\n")
                + "\n-----------------------a1b2c3d4e5f60718293a4b5c6d7e8f90--\n",
                sender="alice <alice@proton.example>"),
        "Proton Mail: HTML-only body inside related inside mixed, public key attached",
        "created", from_email="alice@proton.example", text_contains=["export of all my data"],
        attachments=[{"filename": "publickey - alice@proton.example - 0x1A2B3C4D.asc",
                      "content_type": "application/pgp-keys", "inline": False}],
    ),
    fixture(
        "zoho",
        webmail("Integration webhook failing", "<18d2f3a4b5c.c6d7e8f9a0b1c2d3.1122334455667788990@zoho.example>",
                alternative("----=_Part_998877_665544.1795511702345", "Our webhook returns 500 since Friday.",
                            "<div style=\"font-family: Verdana, Arial, Helvetica, sans-serif; font-size: 10pt;\">"
                            "<div>Our webhook returns 500 since Friday.<br></div><div><br></div></div>"),
                sender="Alice Customer <alice@zoho.example>", extra="User-Agent: Zoho Mail\nX-Mailer: Zoho Mail"),
        "Zoho Mail: plain and HTML, Verdana wrapper",
        "created", from_email="alice@zoho.example", text_contains=["webhook returns 500"],
    ),
    fixture(
        "gmx-german-reply",
        webmail("Aw: [#ACME-1] Printer on fire", "<trinity-1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809-1795511702456@3c-app-gmx-bs01>",
                alternative("--=_Part_1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809",
                            "Er brennt immer noch.\n\n\nGesendet: Montag, 23. November 2026 um 16:02 Uhr\n"
                            "Von: \"Acme Support\" <support@acme.example>\nAn: alice@customer.example\n"
                            "Betreff: Re: [#ACME-1] Printer on fire\nHave you tried turning it off?\n",
                            "<html><head></head><body><div style=\"font-family: Verdana;font-size: 12.0px;\"><div>"
                            "Er brennt immer noch.</div><div name=\"quote\" style=\"margin:10px 5px 5px 10px;"
                            "\"><div style=\"margin:0 0 10px 0;\"><b>Gesendet:</b>&nbsp;Montag, 23. November 2026 "
                            "um 16:02 Uhr<br/><b>Von:</b>&nbsp;&quot;Acme Support&quot;</div><div>Have you tried "
                            "turning it off?</div></div></div></body></html>", charset="UTF-8"),
                reply_to=OUT_ACME),
        "GMX/Web.de German reply: 'Aw:' prefix, Gesendet:/Von: block (Sent before From)",
        "appended", ticket="ACME-1", new_text_contains=["Er brennt immer noch."],
        new_text_excludes=["turning it off"],
    ),
    fixture(
        "roundcube",
        webmail("Re: [#ACME-1] Printer on fire", "<a1b2c3d4e5f60718293a4b5c6d7e8f90@webmail.customer.example>",
                "Content-Type: text/plain; charset=US-ASCII;\n format=flowed\nContent-Transfer-Encoding: 7bit\n\n"
                "It smells of smoke still.\n\nOn 2026-11-23 16:02, Acme Support wrote:\n"
                "> Have you tried turning it off?\n",
                reply_to=OUT_ACME, extra="User-Agent: Roundcube Webmail/1.6.9"),
        "Roundcube: ISO date attribution 'On 2026-11-23 16:02, X wrote:'",
        "appended", ticket="ACME-1", new_text_contains=["smells of smoke"], new_text_excludes=["turning it off"],
    ),
    fixture(
        "fastmail",
        webmail("Two-factor codes not arriving", "<5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d@app.fastmail.example>",
                alternative("e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6",
                            "Two-factor codes by SMS stopped arriving.\n\nAlice\n",
                            "<!DOCTYPE html><html><head><title></title><style type=\"text/css\">p.MsoNormal,"
                            "p.MsoNoSpacing{margin:0}</style></head><body><div>Two-factor codes by SMS stopped "
                            "arriving.<br></div><div><br></div><div>Alice<br></div></body></html>"),
                extra="User-Agent: Cyrus-JMAP/3.11.0-alpha0-1234-g5678abcd\nX-ME-Sender: <xms:abc>"),
        "Fastmail: JMAP user agent, style block stripped from the stored HTML",
        "created", text_contains=["stopped arriving"], html_excludes=["<style", "<title"],
    ),
    fixture(
        "yandex-koi8",
        webmail(word_b("Не работает оплата", "koi8-r"), "<123451795511702@mail.yandex.example>",
                "Content-Transfer-Encoding: base64\nContent-Type: text/plain; charset=koi8-r\n\n"
                + b64("Здравствуйте! Оплата картой не проходит.\n", "koi8-r") + "\n",
                sender=f"{word_b('Иван Петров', 'koi8-r')} <ivan@yandex.example>"),
        "Yandex Mail: KOI8-R base64 body and B encoded subject and name",
        "created", subject="Не работает оплата", from_name="Иван Петров",
        text_contains=["Оплата картой не проходит"],
    ),
    fixture(
        "qq-mail-gbk",
        webmail(word_b("账户无法登录", "gbk"), "<tencent_A1B2C3D4E5F60718293A4B5C6D7E8F90@qq.example>",
                alternative("----=_NextPart_6A1B2C3D_0E0F1A2B_3C4D5E6F", "您好，我的账户无法登录。",
                            "<div>您好，我的账户无法登录。</div>", charset="\"gb18030\"", cte="base64",
                            preamble="This is a multi-part message in MIME format.\n\n"),
                sender=f"\"{word_b('李雷', 'gb18030')}\" <lilei@qq.example>", extra="X-Mailer: QQMail 2.x"),
        "QQ Mail: GBK subject, gb18030 base64 bodies, a quoted encoded-word display name",
        "created", subject="账户无法登录", from_name="李雷", text_contains=["我的账户无法登录"],
    ),
]
