"""Mozilla Thunderbird: User-Agent header, "On <date> <name> wrote:" / "<name> wrote:"
attributions, moz-cite-prefix HTML, RFC 2231 filenames, forwards as message/rfc822,
OpenPGP/MIME and the reply with References holding the whole thread."""

from kit import ACME, ALICE, ANCHOR_1, OUT_ACME, PDF, b64, fixture, qp

UA = "User-Agent: Mozilla Thunderbird"


def thunderbird(subject: str, message_id: str, content: str, *, reply_to: str | None = None,
                references: str | None = None, sender: str = f"Alice Customer <{ALICE}>",
                language: str = "en-US") -> str:
    lines = [f"Message-ID: {message_id}", "Date: Tue, 24 Nov 2026 10:15:02 +0100", "MIME-Version: 1.0", UA]
    if references or reply_to:
        lines.append(f"References: {references or reply_to}")
    if reply_to:
        lines.append(f"In-Reply-To: {reply_to}")
    lines += [f"Content-Language: {language}", f"To: {ACME}", f"From: {sender}", f"Subject: {subject}"]
    return "\n".join(lines) + "\n" + content


def plain(text: str, flowed: bool = True) -> str:
    fmt = "; format=flowed" if flowed else ""
    return f"Content-Type: text/plain; charset=UTF-8{fmt}\nContent-Transfer-Encoding: 8bit\n\n{text}"


FIXTURES = [
    fixture(
        "new-plain-flowed",
        thunderbird("VPN drops every hour", "<4f1e2d3c-5b6a-4798-8a9b-0c1d2e3f4a5b@customer.example>",
                    plain("Hello,\n\nthe VPN connection drops every hour on the hour.\n\n-- \nAlice Customer\n"
                          "Customer Example Ltd.\n")),
        "Thunderbird plain text, format=flowed, 8bit, signature after '-- '",
        "created", subject="VPN drops every hour", text_contains=["drops every hour on the hour"],
        from_name="Alice Customer",
    ),
    fixture(
        "reply-wrote-attribution",
        thunderbird("Re: [#ACME-1] Printer on fire", "<5a2f3e4d-6c7b-48a9-9bac-1d2e3f4a5b6c@customer.example>",
                    plain("On 23/11/2026 16:02, Acme Support wrote:\n> Have you tried turning it off?\n\n"
                          "Tried it, no change.\n"),
                    reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}"),
        "Thunderbird bottom-posted reply: the attribution and quote come first, the new text below",
        "appended", ticket="ACME-1", new_text_contains=["Tried it, no change."],
        new_text_excludes=["turning it off", "Acme Support wrote"],
    ),
    fixture(
        "html-moz-cite",
        thunderbird("Re: [#ACME-1] Printer on fire", "<6b3a4f5e-7d8c-49ba-acbd-2e3f4a5b6c7d@customer.example>",
                    "Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
                    "<!DOCTYPE html>\n<html>\n  <head>\n    <meta http-equiv=\"Content-Type\" content=\"text/html; "
                    "charset=UTF-8\">\n  </head>\n  <body>\n    <p>Now the paper tray is stuck.</p>\n"
                    "    <div class=\"moz-cite-prefix\">On 23/11/2026 16:02, Acme Support wrote:<br>\n    </div>\n"
                    "    <blockquote type=\"cite\" cite=\"mid:hd.acme.anchor-out@helpdesk.test\">Have you tried "
                    "turning it off?</blockquote>\n  </body>\n</html>\n",
                    reply_to=OUT_ACME),
        "Thunderbird HTML-only reply with moz-cite-prefix and blockquote type=cite",
        "appended", ticket="ACME-1", new_text_contains=["paper tray is stuck"], new_text_excludes=["turning it off"],
        html_contains=["paper tray is stuck"],
    ),
    fixture(
        "rfc2231-filename",
        thunderbird("Angebot", "<7c4b5a6f-8e9d-4acb-bdce-3f4a5b6c7d8e@kunde.example>",
                    "Content-Type: multipart/mixed; boundary=\"------------0aB1cD2eF3gH4iJ5kL6mN7oP\"\n\n"
                    "This is a multi-part message in MIME format.\n--------------0aB1cD2eF3gH4iJ5kL6mN7oP\n"
                    + plain("Das Angebot liegt bei.\n") + "\n--------------0aB1cD2eF3gH4iJ5kL6mN7oP\n"
                    "Content-Type: application/pdf; name*=UTF-8''Angebot%20f%C3%BCr%20M%C3%BCller.pdf\n"
                    "Content-Disposition: attachment; filename*=UTF-8''Angebot%20f%C3%BCr%20M%C3%BCller.pdf\n"
                    "Content-Transfer-Encoding: base64\n\n" + b64(PDF)
                    + "\n\n--------------0aB1cD2eF3gH4iJ5kL6mN7oP--\n",
                    sender="Jürgen Müller <juergen@kunde.example>", language="de-DE"),
        "Thunderbird RFC 2231 filename*=UTF-8'' with umlauts; raw UTF-8 display name in From",
        "created", from_name="Jürgen Müller", text_contains=["Das Angebot liegt bei."],
        attachments=[{"filename": "Angebot für Müller.pdf", "content_type": "application/pdf", "inline": False}],
    ),
    fixture(
        "forward-as-attachment",
        thunderbird("Fwd: Your order has shipped", "<8d5c6b7a-9fae-4bdc-cedf-4a5b6c7d8e9f@customer.example>",
                    "Content-Type: multipart/mixed; boundary=\"------------1bC2dE3fG4hI5jK6lM7nO8pQ\"\n\n"
                    "This is a multi-part message in MIME format.\n--------------1bC2dE3fG4hI5jK6lM7nO8pQ\n"
                    + plain("The tracking number in the forwarded mail does not work.\n")
                    + "\n--------------1bC2dE3fG4hI5jK6lM7nO8pQ\nContent-Type: message/rfc822; charset=UTF-8; "
                    "name=\"Your order has shipped.eml\"\nContent-Disposition: attachment; "
                    "filename=\"Your order has shipped.eml\"\n\nMessage-ID: <ship-1@shop.example>\n"
                    "Date: Mon, 23 Nov 2026 08:00:00 +0000\nFrom: Shop <orders@shop.example>\n"
                    "To: alice@customer.example\nSubject: Your order has shipped\nMIME-Version: 1.0\n"
                    "Content-Type: text/plain; charset=us-ascii\n\nTracking number: ZZ123456789.\n\n"
                    "--------------1bC2dE3fG4hI5jK6lM7nO8pQ--\n"),
        "Thunderbird 'Forward as attachment': message/rfc822 part kept whole as an .eml attachment",
        "created", text_contains=["tracking number in the forwarded mail"], new_text_excludes=["ZZ123456789"],
        attachments=[{"filename": "Your order has shipped.eml", "content_type": "message/rfc822", "inline": False}],
    ),
    fixture(
        "openpgp-mime-signed",
        thunderbird("Account deletion request", "<9e6d7c8b-a0bf-4ced-dfe0-5b6c7d8e9fa0@customer.example>",
                    "Content-Type: multipart/signed; micalg=pgp-sha256;\n protocol=\"application/pgp-signature\";\n"
                    " boundary=\"------------2cD3eF4gH5iJ6kL7mN8oP9qR\"\n\n"
                    "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\n"
                    "--------------2cD3eF4gH5iJ6kL7mN8oP9qR\nContent-Type: multipart/mixed; "
                    "boundary=\"------------3dE4fG5hI6jK7lM8nO9pQ0rS\";\n protected-headers=\"v1\"\n"
                    "Subject: Account deletion request\n\n--------------3dE4fG5hI6jK7lM8nO9pQ0rS\n"
                    + plain("Please delete my account and all data.\n", flowed=False)
                    + "\n--------------3dE4fG5hI6jK7lM8nO9pQ0rS--\n\n--------------2cD3eF4gH5iJ6kL7mN8oP9qR\n"
                    "Content-Type: application/pgp-signature; name=\"OpenPGP_signature.asc\"\n"
                    "Content-Description: OpenPGP digital signature\n"
                    "Content-Disposition: attachment; filename=\"OpenPGP_signature.asc\"\n\n"
                    "-----BEGIN PGP SIGNATURE-----\n\nwsF5BAABCAAjFiEEAbCdEfGhIjKlMnOpQrStUvWxYz0FAmdDAAAFAwAAAAAACgkQ\n"
                    "=AbCd\n-----END PGP SIGNATURE-----\n\n--------------2cD3eF4gH5iJ6kL7mN8oP9qR--\n"),
        "Thunderbird OpenPGP/MIME signed: protected headers part, signature kept as attachment",
        "created", text_contains=["delete my account"], new_text_excludes=["BEGIN PGP"],
        attachments=[{"filename": "OpenPGP_signature.asc", "content_type": "application/pgp-signature",
                      "inline": False}],
    ),
    fixture(
        "long-references",
        thunderbird("Re: [#ACME-1] Printer on fire", "<af7e8d9c-b1c0-4dfe-e0f1-6c7d8e9fa0b1@customer.example>",
                    plain("Another update: it works on the second tray.\n"),
                    reply_to="<c0ffee-3@customer.example>",
                    references=f"{ANCHOR_1} {OUT_ACME}\n <c0ffee-1@customer.example>\n <c0ffee-2@customer.example>\n"
                               " <c0ffee-3@customer.example>"),
        "Thunderbird reply whose parent we never saw: References folded over lines still reach our message",
        "appended", ticket="ACME-1", new_text_contains=["second tray"],
    ),
    fixture(
        "plain-quoted-printable-latin",
        thunderbird("Facture incorrecte", "<b08f9e0d-c2d1-4e0f-f102-7d8e9fa0b1c2@client.example>",
                    "Content-Type: text/plain; charset=ISO-8859-15; format=flowed\n"
                    "Content-Transfer-Encoding: quoted-printable\n\n"
                    + qp("Bonjour,\n\nle montant de 120 € sur la facture est erroné.\n\nCordialement,\nHélène\n",
                         "iso-8859-15"),
                    sender="=?ISO-8859-15?Q?H=E9l=E8ne_Dupr=E9?= <helene@client.example>", language="fr"),
        "Thunderbird in French: ISO-8859-15 quoted-printable with the euro sign, Q encoded name",
        "created", from_name="Hélène Dupré", text_contains=["120 € sur la facture est erroné"],
    ),
    fixture(
        "inline-reply",
        thunderbird("Re: [#ACME-1] Printer on fire", "<c1a0bf1e-d3e2-4f10-0213-8e9fa0b1c2d3@customer.example>",
                    plain("On 23/11/2026 16:02, Acme Support wrote:\n> Have you tried turning it off?\n\n"
                          "Yes.\n\n> Is the cable plugged in?\n\nAlso yes.\n"),
                    reply_to=OUT_ACME),
        "Thunderbird interleaved answers below each quoted question: the answers are the new text",
        "appended", ticket="ACME-1", new_text_contains=["Yes.", "Also yes."],
        new_text_excludes=["Is the cable plugged in?", "wrote:"],
    ),
    fixture(
        "reply-to-header",
        thunderbird("Please call me back", "<d2b1c0f2-e4f3-4021-1324-9fa0b1c2d3e4@customer.example>",
                    plain("Please call me back on +44 20 7946 0000.\n"),
                    sender="Alice Customer <alice@customer.example>").replace(
                        "Subject: Please call me back", "Reply-To: Alice Private <alice@home.example>\n"
                                                        "Subject: Please call me back"),
        "Thunderbird with a Reply-To: the contact is still the From address",
        "created", from_email=ALICE, text_contains=["call me back"],
    ),
]
