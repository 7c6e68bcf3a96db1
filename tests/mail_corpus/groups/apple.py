"""Apple Mail (macOS) and iCloud: Apple-Mail= boundaries, format=flowed,
"On <date>, at <time>, <name> wrote:" attributions with blockquote type=cite,
inline images placed between text parts of a multipart/mixed, HEIC photos."""

from kit import ACME, ALICE, ANCHOR_1, OUT_ACME, PDF, PNG, b64, fixture, qp


def apple(subject: str, message_id: str, content: str, *, reply_to: str | None = None,
          references: str | None = None, sender: str = f"Alice Customer <{ALICE}>") -> str:
    lines = [f"From: {sender}", f"Subject: {subject}", "Date: Tue, 24 Nov 2026 10:15:02 +0100"]
    if references or reply_to:
        lines.append(f"References: {references or reply_to}")
    if reply_to:
        lines.append(f"In-Reply-To: {reply_to}")
    lines += [f"To: {ACME}", f"Message-Id: {message_id}", "X-Mailer: Apple Mail (2.3774.600.62)",
              "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))"]
    return "\n".join(lines) + "\n" + content


APPLE_QUOTE_TEXT = ("\n\n> On 23 Nov 2026, at 16:02, Acme Support <support@acme.example> wrote:\n>\n"
                    "> Have you tried turning it off?\n\n")
APPLE_QUOTE_HTML = ("<div><br><blockquote type=\"cite\"><div>On 23 Nov 2026, at 16:02, Acme Support &lt;"
                    "support@acme.example&gt; wrote:</div><br class=\"Apple-interchange-newline\"><div><div>"
                    "Have you tried turning it off?</div></div></blockquote></div>")


def apple_alternative(boundary: str, text: str, html_body: str) -> str:
    html = ("<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\"></head>"
            "<body style=\"overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;\">"
            f"{html_body}</body></html>")
    return (f"Content-Type: multipart/alternative;\n\tboundary=\"{boundary}\"\n\n\n--{boundary}\n"
            "Content-Transfer-Encoding: quoted-printable\nContent-Type: text/plain;\n\tcharset=utf-8\n\n"
            f"{qp(text)}\n--{boundary}\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/html;\n"
            f"\tcharset=utf-8\n\n{qp(html)}\n--{boundary}--\n")


FIXTURES = [
    fixture(
        "new-alternative",
        apple("Sync stopped working", "<8F1D2C3B-4A59-4E6F-8B7C-1D2E3F4A5B6C@customer.example>",
              apple_alternative("Apple-Mail=_1A2B3C4D-5E6F-4711-8899-AABBCCDDEEFF",
                                "Hello,\n\nsync stopped working after the update.\n\nAlice",
                                "Hello,<div><br></div><div>sync stopped working after the update.</div>"
                                "<div><br></div><div>Alice</div>")),
        "Apple Mail new message: alternative with an Apple-Mail= boundary, quoted-printable UTF-8",
        "created", subject="Sync stopped working", text_contains=["sync stopped working after the update"],
        html_contains=["sync stopped working"], html_excludes=["-webkit-nbsp-mode"],
    ),
    fixture(
        "reply-cite-blockquote",
        apple("Re: [#ACME-1] Printer on fire", "<A7B8C9D0-1E2F-4A3B-9C8D-7E6F5A4B3C2D@customer.example>",
              apple_alternative("Apple-Mail=_2B3C4D5E-6F70-4812-99AA-BBCCDDEEFF00",
                                "I did, twice." + APPLE_QUOTE_TEXT, "I did, twice." + APPLE_QUOTE_HTML),
              reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}"),
        "Apple Mail reply: '> On <date>, at <time>, X wrote:' in the text, blockquote type=cite in the HTML",
        "appended", ticket="ACME-1", new_text_contains=["I did, twice."], new_text_excludes=["turning it off"],
    ),
    fixture(
        "format-flowed",
        apple("Long explanation", "<B1C2D3E4-F5A6-4B7C-8D9E-0F1A2B3C4D5E@customer.example>",
              "Content-Type: text/plain;\n\tcharset=us-ascii;\n\tformat=flowed\nContent-Transfer-Encoding: 7bit\n\n"
              "The report generator times out when the date range is longer than \nthree months. "
              "Shorter ranges work fine.\n\nAlice\n"),
        "Apple Mail plain text with format=flowed soft line breaks",
        "created", text_contains=["date range is longer than", "Shorter ranges work fine."],
    ),
    fixture(
        "inline-image-between-text",
        apple("Screenshot of the error", "<C2D3E4F5-A6B7-4C8D-9E0F-1A2B3C4D5E6F@customer.example>",
              "Content-Type: multipart/mixed;\n\tboundary=\"Apple-Mail=_3C4D5E6F-7081-4923-AABB-CCDDEEFF0011\"\n\n\n"
              "--Apple-Mail=_3C4D5E6F-7081-4923-AABB-CCDDEEFF0011\nContent-Transfer-Encoding: 7bit\n"
              "Content-Type: text/plain;\n\tcharset=us-ascii\n\nHere is what I see:\n\n"
              "--Apple-Mail=_3C4D5E6F-7081-4923-AABB-CCDDEEFF0011\nContent-Disposition: inline;\n"
              "\tfilename=\"Screenshot 2026-11-24 at 09.58.12.png\"\nContent-Type: image/png;\n"
              "\tx-unix-mode=0644;\n\tname=\"Screenshot 2026-11-24 at 09.58.12.png\"\n"
              "Content-Transfer-Encoding: base64\n\n" + b64(PNG) + "\n"
              "--Apple-Mail=_3C4D5E6F-7081-4923-AABB-CCDDEEFF0011\nContent-Transfer-Encoding: 7bit\n"
              "Content-Type: text/plain;\n\tcharset=us-ascii\n\nAnd it happens every time.\n"
              "--Apple-Mail=_3C4D5E6F-7081-4923-AABB-CCDDEEFF0011--\n"),
        "Apple Mail puts an inline image between two text/plain parts: both texts joined, image kept",
        "created", text_contains=["Here is what I see:", "And it happens every time."],
        attachments=[{"filename": "Screenshot 2026-11-24 at 09.58.12.png", "content_type": "image/png",
                      "inline": False}],
    ),
    fixture(
        "heic-photo",
        apple("Damaged parcel", "<D3E4F5A6-B7C8-4D9E-0F1A-2B3C4D5E6F70@customer.example>",
              "Content-Type: multipart/mixed;\n\tboundary=\"Apple-Mail=_4D5E6F70-8192-4A34-BBCC-DDEEFF001122\"\n\n\n"
              "--Apple-Mail=_4D5E6F70-8192-4A34-BBCC-DDEEFF001122\nContent-Transfer-Encoding: 7bit\n"
              "Content-Type: text/plain;\n\tcharset=us-ascii\n\nThe parcel arrived crushed, photo attached.\n\n"
              "--Apple-Mail=_4D5E6F70-8192-4A34-BBCC-DDEEFF001122\nContent-Disposition: attachment;\n"
              "\tfilename=IMG_4821.HEIC\nContent-Type: image/heic;\n\tx-unix-mode=0644;\n\tname=\"IMG_4821.HEIC\"\n"
              "Content-Transfer-Encoding: base64\n\n" + b64(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00heicmif1")
              + "\n--Apple-Mail=_4D5E6F70-8192-4A34-BBCC-DDEEFF001122--\n"),
        "iPhone photo forwarded from macOS: image/heic attachment with an unquoted filename",
        "created", attachments=[{"filename": "IMG_4821.HEIC", "content_type": "image/heic", "inline": False}],
    ),
    fixture(
        "icloud-pdf-related",
        apple("Signed form", "<E4F5A6B7-C8D9-4E0F-1A2B-3C4D5E6F7081@icloud.example>",
              "Content-Type: multipart/alternative;\n\tboundary=\"Apple-Mail=_5E6F7081-92A3-4B45-CCDD-EEFF00112233\"\n\n\n"
              "--Apple-Mail=_5E6F7081-92A3-4B45-CCDD-EEFF00112233\nContent-Transfer-Encoding: 7bit\n"
              "Content-Type: text/plain;\n\tcharset=us-ascii\n\nSigned form attached.\n\n"
              "--Apple-Mail=_5E6F7081-92A3-4B45-CCDD-EEFF00112233\nContent-Type: multipart/mixed;\n"
              "\tboundary=\"Apple-Mail=_6F708192-A3B4-4C56-DDEE-FF0011223344\"\n\n\n"
              "--Apple-Mail=_6F708192-A3B4-4C56-DDEE-FF0011223344\nContent-Transfer-Encoding: 7bit\n"
              "Content-Type: text/html;\n\tcharset=us-ascii\n\n<html><body><div>Signed form attached.</div></body></html>\n"
              "--Apple-Mail=_6F708192-A3B4-4C56-DDEE-FF0011223344\nContent-Disposition: inline;\n"
              "\tfilename=form.pdf\nContent-Type: application/pdf;\n\tx-unix-mode=0644;\n\tname=\"form.pdf\"\n"
              "Content-Transfer-Encoding: base64\n\n" + b64(PDF) + "\n"
              "--Apple-Mail=_6F708192-A3B4-4C56-DDEE-FF0011223344\nContent-Transfer-Encoding: 7bit\n"
              "Content-Type: text/html;\n\tcharset=us-ascii\n\n<html><body><div></div></body></html>\n"
              "--Apple-Mail=_6F708192-A3B4-4C56-DDEE-FF0011223344--\n\n"
              "--Apple-Mail=_5E6F7081-92A3-4B45-CCDD-EEFF00112233--\n", sender="Alice Customer <alice@icloud.example>"),
        "Apple Mail's alternative whose HTML side is a mixed of HTML, an inline PDF and more HTML",
        "created", from_email="alice@icloud.example", text_contains=["Signed form attached."],
        html_contains=["Signed form attached."],
        attachments=[{"filename": "form.pdf", "content_type": "application/pdf", "inline": False}],
    ),
    fixture(
        "reply-no-text-part",
        apple("Re: [#ACME-1] Printer on fire", "<F5A6B7C8-D9E0-4F1A-2B3C-4D5E6F708192@customer.example>",
              "Content-Type: text/html;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
              + qp("<html><body><div>It’s fixed, thank you!</div>" + APPLE_QUOTE_HTML + "</body></html>"),
              reply_to=ANCHOR_1),
        "Apple Mail HTML-only reply (curly apostrophe): text derived from the HTML",
        "appended", ticket="ACME-1", text_contains=["It’s fixed, thank you!"],
        new_text_contains=["It’s fixed, thank you!"], new_text_excludes=["turning it off"],
    ),
    fixture(
        "signature-vcard",
        apple("Change of address", "<A6B7C8D9-E0F1-4A2B-3C4D-5E6F70819203@customer.example>",
              "Content-Type: multipart/mixed;\n\tboundary=\"Apple-Mail=_708192A3-B4C5-4D67-EEFF-001122334455\"\n\n\n"
              "--Apple-Mail=_708192A3-B4C5-4D67-EEFF-001122334455\nContent-Transfer-Encoding: 7bit\n"
              "Content-Type: text/plain;\n\tcharset=us-ascii\n\nPlease update my address, card attached.\n\n"
              "--Apple-Mail=_708192A3-B4C5-4D67-EEFF-001122334455\nContent-Disposition: attachment;\n"
              "\tfilename=\"Alice Customer.vcf\"\nContent-Type: text/directory;\n\tx-unix-mode=0644;\n"
              "\tname=\"Alice Customer.vcf\"\nContent-Transfer-Encoding: 7bit\n\nBEGIN:VCARD\nVERSION:3.0\n"
              "N:Customer;Alice;;;\nFN:Alice Customer\nEMAIL;type=INTERNET:alice@customer.example\nEND:VCARD\n\n"
              "--Apple-Mail=_708192A3-B4C5-4D67-EEFF-001122334455--\n"),
        "Apple Mail with a contact card (text/directory) attachment: not part of the body",
        "created", text_contains=["update my address"], new_text_excludes=["BEGIN:VCARD"],
        attachments=[{"filename": "Alice Customer.vcf", "content_type": "text/directory", "inline": False}],
    ),
    fixture(
        "french-attribution",
        apple("Re: [#ACME-1] Printer on fire", "<B7C8D9E0-F1A2-4B3C-4D5E-6F7081920314@customer.example>",
              "Content-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
              + qp("Toujours en panne.\n\n> Le 23 nov. 2026 à 16:02, Acme Support <support@acme.example> a écrit :\n"
                   ">\n> Have you tried turning it off?\n"), reply_to=OUT_ACME),
        "French Apple Mail: '> Le <date> à <heure>, X a écrit :' attribution",
        "appended", ticket="ACME-1", new_text_contains=["Toujours en panne."],
        new_text_excludes=["a écrit", "turning it off"],
    ),
    fixture(
        "message-id-uppercase-uuid",
        apple("Re: Printer on fire", "<C8D9E0F1-A2B3-4C4D-5E6F-708192031425@customer.example>",
              "Content-Type: text/plain;\n\tcharset=us-ascii\nContent-Transfer-Encoding: 7bit\n\nSee above.\n",
              reply_to="<ANCHOR-1@CUSTOMER.EXAMPLE>"),
        "In-Reply-To in different case from the stored Message-ID: ids compare case-insensitively",
        "appended", ticket="ACME-1", text_contains=["See above."],
    ),
]
