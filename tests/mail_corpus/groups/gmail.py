"""Gmail (web and API): multipart/alternative with a div-per-line HTML part,
"On <date> <name> <<address>> wrote:" attributions (wrapped when long),
gmail_quote blockquotes, Drive links, inline images as multipart/related."""

from kit import ACME, ALICE, ANCHOR_1, OUT_ACME, PDF, PNG, b64, fixture, qp

GMAIL_RECEIVED = """\
Received: by mail-ej1-f54.google.example with SMTP id a640c23a62f3a-a9a0ef5179dso123456766b.0
        for <support@acme.example>; Tue, 24 Nov 2026 01:15:03 -0800 (PST)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=customer.example; s=20230601; t=1795511703;
        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject:date:message-id:reply-to;
        bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
        b=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4
X-Gm-Message-State: AOJu0YwV4z3kQ0s1nV0aXzY0m3kq5dJ6yq3oZ1k2x3c4v5b6n7m8
"""


def gmail(subject: str, message_id: str, content: str, *, sender: str = f"Alice Customer <{ALICE}>",
          reply_to: str | None = None, references: str | None = None) -> str:
    lines = [GMAIL_RECEIVED.rstrip("\n"), "MIME-Version: 1.0", f"From: {sender}",
             "Date: Tue, 24 Nov 2026 10:15:02 +0100"]
    if references or reply_to:
        lines.append(f"References: {references or reply_to}")
    if reply_to:
        lines.append(f"In-Reply-To: {reply_to}")
    lines += [f"Message-ID: {message_id}", f"Subject: {subject}", f"To: {ACME}"]
    return "\n".join(lines) + "\n" + content


def alternative(boundary: str, text: str, html: str) -> str:
    return (f"Content-Type: multipart/alternative; boundary=\"{boundary}\"\n\n--{boundary}\n"
            f"Content-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n"
            f"{qp(text)}\n--{boundary}\nContent-Type: text/html; charset=\"UTF-8\"\n"
            f"Content-Transfer-Encoding: quoted-printable\n\n{qp(html)}\n--{boundary}--\n")


def divs(*lines: str, quote: str = "") -> str:
    body = "".join(f"<div>{line or '<br>'}</div>" for line in lines)
    return f"<div dir=\"ltr\">{body}</div>{quote}\n"


GMAIL_QUOTE = ("<br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Mon, Nov 23, 2026 at 4:02"
               "\u202fPM Acme Support &lt;<a href=\"mailto:support@acme.example\">support@acme.example</a>&gt; "
               "wrote:<br></div><blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;border-left:"
               "1px solid rgb(204,204,204);padding-left:1ex\">Have you tried turning it off?</blockquote></div>")
TEXT_QUOTE = ("\n\nOn Mon, Nov 23, 2026 at 4:02\u202fPM Acme Support <support@acme.example> wrote:\n\n"
              "> Have you tried turning it off?\n>\n")

FIXTURES = [
    fixture(
        "new-ticket",
        gmail("Password reset link expired", "<CAHx1Qa7uVbW2xY3z4A5b6C7d8E9f0G1h2I3j4K5l6M7n8O9p0Q@mail.gmail.example>",
              alternative("000000000000a1b2c3062a1f0e01",
                          "Hi,\n\nthe password reset link says it expired, but I just requested it.\n\nAlice\n",
                          divs("Hi,", "", "the password reset link says it expired, but I just requested it.", "",
                               "Alice"))),
        "Gmail new message: UTF-8 quoted-printable alternative with div-per-line HTML",
        "created", subject="Password reset link expired", from_name="Alice Customer",
        text_contains=["reset link says it expired"], html_contains=["reset link says it expired"],
    ),
    fixture(
        "reply-gmail-quote",
        gmail("Re: [#ACME-1] Printer on fire", "<CAHx1Qa8reply1@mail.gmail.example>",
              alternative("000000000000b2c3d4062a1f0e02", "Yes, and now it beeps.\n" + TEXT_QUOTE,
                          divs("Yes, and now it beeps.", quote=GMAIL_QUOTE)),
              reply_to=OUT_ACME, references=f"{ANCHOR_1} {OUT_ACME}"),
        "Gmail reply with the gmail_quote block and '> ' quoted text",
        "appended", ticket="ACME-1", new_text_contains=["now it beeps"],
        new_text_excludes=["turning it off", "wrote:"], html_contains=["now it beeps"],
    ),
    fixture(
        "reply-wrapped-attribution",
        gmail("Re: [#ACME-1] Printer on fire", "<CAHx1Qa8reply2@mail.gmail.example>",
              "Content-Type: text/plain; charset=\"UTF-8\"\n\nStill broken, sorry.\n\n"
              "On Mon, Nov 23, 2026 at 4:02 PM Acme Support Team of the Acme Corporation <\n"
              "support@acme.example> wrote:\n\n> Have you tried turning it off?\n",
              reply_to=OUT_ACME),
        "Gmail plain-text reply whose long attribution line wraps before the address",
        "appended", ticket="ACME-1", new_text_contains=["Still broken, sorry."],
        new_text_excludes=["wrote:", "support@acme.example>"],
    ),
    fixture(
        "inline-image-related",
        gmail("Error on checkout", "<CAHx1Qa9inline@mail.gmail.example>",
              "Content-Type: multipart/related; boundary=\"000000000000c3d4e5062a1f0e04\"\n\n"
              "--000000000000c3d4e5062a1f0e04\n"
              + alternative("000000000000c3d4e4062a1f0e03", "The checkout shows this error:\n[image: error.png]\n",
                            divs("The checkout shows this error:",
                                 "<img src=\"cid:ii_m3xk2a0f0\" alt=\"error.png\" width=\"320\" height=\"200\">"))
              + "\n--000000000000c3d4e5062a1f0e04\nContent-Type: image/png; name=\"error.png\"\n"
              "Content-Disposition: inline; filename=\"error.png\"\nContent-Transfer-Encoding: base64\n"
              "Content-ID: <ii_m3xk2a0f0>\nX-Attachment-Id: ii_m3xk2a0f0\n\n" + b64(PNG)
              + "\n--000000000000c3d4e5062a1f0e04--\n"),
        "Gmail pasted screenshot: multipart/related with a cid: image resolved to our inline URL",
        "created", text_contains=["checkout shows this error"], html_contains=["/inline"], html_excludes=["cid:"],
        attachments=[{"filename": "error.png", "content_type": "image/png", "inline": True}],
    ),
    fixture(
        "attachment-and-drive-link",
        gmail("Contract scan", "<CAHx1Qa9drive@mail.gmail.example>",
              "Content-Type: multipart/mixed; boundary=\"000000000000d4e5f6062a1f0e06\"\n\n"
              "--000000000000d4e5f6062a1f0e06\n"
              + alternative("000000000000d4e5f5062a1f0e05",
                            "Scan attached, the large file is on Drive:\nhttps://drive.google.example/file/d/1AbC/view\n",
                            divs("Scan attached, the large file is on Drive:",
                                 "<a href=\"https://drive.google.example/file/d/1AbC/view\">contract.zip</a>"))
              + "\n--000000000000d4e5f6062a1f0e06\nContent-Type: application/pdf; name=\"scan.pdf\"\n"
              "Content-Disposition: attachment; filename=\"scan.pdf\"\nContent-Transfer-Encoding: base64\n"
              "Content-ID: <f_m3xk5b1c0>\nX-Attachment-Id: f_m3xk5b1c0\n\n" + b64(PDF)
              + "\n--000000000000d4e5f6062a1f0e06--\n"),
        "Gmail with a PDF attachment (it carries a Content-ID too, but is not inline) and a link",
        "created", html_contains=["https://drive.google.example/file/d/1AbC/view", "noopener"],
        attachments=[{"filename": "scan.pdf", "content_type": "application/pdf", "inline": False}],
    ),
    fixture(
        "forward-inline",
        gmail("Fwd: Order 5512 not delivered", "<CAHx1Qa9fwd@mail.gmail.example>",
              "Content-Type: text/plain; charset=\"UTF-8\"\n\nPlease look at the message below.\n\n"
              "---------- Forwarded message ---------\nFrom: Shop <orders@shop.example>\n"
              "Date: Sun, Nov 22, 2026 at 9:00 AM\nSubject: Order 5512 not delivered\nTo: <alice@customer.example>\n\n"
              "Your order 5512 could not be delivered.\n"),
        "Gmail inline forward: the forwarded part is history, the note on top is the new text",
        "created", subject="Fwd: Order 5512 not delivered", new_text_contains=["look at the message below"],
        new_text_excludes=["could not be delivered"], text_contains=["Your order 5512 could not be delivered."],
    ),
    fixture(
        "plain-text-mode",
        gmail("Refund request", "<CAHx1Qa9plain@mail.gmail.example>",
              "Content-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n"
              + qp("I would like a refund for order 7731 – the item arrived broken. Thanks!\n")),
        "Gmail plain text mode: a single quoted-printable text/plain part with an en dash",
        "created", subject="Refund request", text_contains=["order 7731 – the item arrived broken"],
    ),
    fixture(
        "send-as-other-address",
        gmail("Question about my plan", "<CAHx1Qa9sendas@mail.gmail.example>",
              "Content-Type: text/plain; charset=\"UTF-8\"\n\nWhich plan am I on?\n",
              sender="\"Alice (Work)\" <alice.work@customer.example>")
        .replace("MIME-Version: 1.0", "MIME-Version: 1.0\nSender: alice.personal@gmail.example", 1),
        "Gmail 'send mail as': From is the work address, Sender the Gmail one; the ticket belongs to From",
        "created", from_email="alice.work@customer.example", from_name="Alice (Work)",
    ),
    fixture(
        "reply-all-with-cc",
        gmail("Re: [#ACME-1] Printer on fire", "<CAHx1Qa9cc@mail.gmail.example>",
              "Content-Type: text/plain; charset=\"UTF-8\"\n\nAdding my manager.\n" + TEXT_QUOTE,
              reply_to=OUT_ACME).replace(f"To: {ACME}", f"To: {ACME}\nCc: Carol Manager <carol@customer.example>"),
        "Gmail reply-all with a Cc: still one message on ACME-1",
        "appended", ticket="ACME-1", new_text_contains=["Adding my manager."],
    ),
    fixture(
        "emoji-subject",
        gmail("=?UTF-8?B?8J+UpSBTZXJ2ZXIgZG93biDwn5Sl?=", "<CAHx1Qa9emoji@mail.gmail.example>",
              "Content-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: base64\n\n"
              + b64("Our server is down 😱 since 9:00.\n") + "\n"),
        "Gmail subject with emoji in a B encoded word, base64 body with emoji",
        "created", subject="🔥 Server down 🔥", text_contains=["server is down 😱"],
    ),
]
