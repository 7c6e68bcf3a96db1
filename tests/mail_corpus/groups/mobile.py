"""Phone mail programs: iOS Mail ("Sent from my iPhone", Apple-Mail boundaries
without X-Mailer), Gmail for Android, Outlook for iOS/Android, Samsung Email,
Japanese carrier mail (ISO-2022-JP), and photos straight from the camera."""

from kit import ACME, ALICE, ANCHOR_1, OUT_ACME, PNG, b64, fixture, qp, word_b


def mobile(subject: str, message_id: str, content: str, *, mailer: str, reply_to: str | None = None,
           sender: str = f"Alice Customer <{ALICE}>", date: str = "Tue, 24 Nov 2026 10:15:02 +0100") -> str:
    lines = [f"From: {sender}", f"To: {ACME}", f"Subject: {subject}", f"Date: {date}", f"Message-ID: {message_id}"]
    if reply_to:
        lines += [f"In-Reply-To: {reply_to}", f"References: {reply_to}"]
    if mailer:
        lines.append(mailer)
    return "\n".join(lines) + "\nMIME-Version: 1.0\n" + content


IPHONE = "X-Mailer: iPhone Mail (22B91)"

FIXTURES = [
    fixture(
        "iphone-sent-from",
        mobile("App crashes on start", "<E1F2A3B4-C5D6-4E7F-8091-A2B3C4D5E6F7@customer.example>",
               "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n"
               "The app crashes as soon as I open it.\n\nSent from my iPhone\n", mailer=IPHONE),
        "iOS Mail plain text with the 'Sent from my iPhone' signature",
        "created", subject="App crashes on start", text_contains=["crashes as soon as I open it"],
    ),
    fixture(
        "iphone-reply-quoted",
        mobile("Re: [#ACME-1] Printer on fire", "<F2A3B4C5-D6E7-4F80-91A2-B3C4D5E6F708@customer.example>",
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
               + qp("Yes it’s off now\n\nSent from my iPhone\n\n> On 23 Nov 2026, at 16:02, Acme Support "
                    "<support@acme.example> wrote:\n>\n> Have you tried turning it off?\n"),
               mailer=IPHONE, reply_to=OUT_ACME),
        "iOS Mail reply: quoted history after the signature",
        "appended", ticket="ACME-1", new_text_contains=["Yes it’s off now"], new_text_excludes=["turning it off"],
    ),
    fixture(
        "iphone-photo",
        mobile("Photo of the damage", "<A3B4C5D6-E7F8-4091-A2B3-C4D5E6F70819@customer.example>",
               "Content-Type: multipart/mixed; boundary=Apple-Mail-8E1F2A3B-4C5D-6E7F-8091-A2B3C4D5E6F7\n"
               "Content-Transfer-Encoding: 7bit\n\n--Apple-Mail-8E1F2A3B-4C5D-6E7F-8091-A2B3C4D5E6F7\n"
               "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\nSee photo\n\n"
               "--Apple-Mail-8E1F2A3B-4C5D-6E7F-8091-A2B3C4D5E6F7\nContent-Type: image/jpeg; name=image0.jpeg; "
               "x-apple-part-url=3F4A5B6C-7D8E-4F90-A1B2-C3D4E5F60718\nContent-Disposition: inline; "
               "filename=image0.jpeg\nContent-Transfer-Encoding: base64\n\n"
               + b64(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")
               + "\n--Apple-Mail-8E1F2A3B-4C5D-6E7F-8091-A2B3C4D5E6F7\n"
               "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n\n"
               "Sent from my iPhone\n--Apple-Mail-8E1F2A3B-4C5D-6E7F-8091-A2B3C4D5E6F7--\n", mailer=IPHONE),
        "iOS Mail photo: an inline-disposition JPEG without Content-ID is an attachment",
        "created", text_contains=["See photo"],
        attachments=[{"filename": "image0.jpeg", "content_type": "image/jpeg", "inline": False}],
    ),
    fixture(
        "gmail-android",
        mobile("Order status", "<CAKx7Yb2mobile1@mail.gmail.example>",
               "Content-Type: multipart/alternative; boundary=\"000000000000e5f6a7062a1f0e07\"\n\n"
               "--000000000000e5f6a7062a1f0e07\nContent-Type: text/plain; charset=\"UTF-8\"\n\n"
               "Where is my order 9921?\n\n--000000000000e5f6a7062a1f0e07\nContent-Type: text/html; "
               "charset=\"UTF-8\"\n\n<div dir=\"auto\">Where is my order 9921?</div>\n\n"
               "--000000000000e5f6a7062a1f0e07--\n", mailer=""),
        "Gmail for Android: dir=auto HTML, no X-Mailer",
        "created", text_contains=["order 9921"], html_contains=["order 9921"],
    ),
    fixture(
        "outlook-ios-reply",
        mobile("Re: [#ACME-1] Printer on fire", "<DB7PR02MB1234ABCD@DB7PR02MB1234.eurprd02.prod.outlook.example>",
               "Content-Type: multipart/alternative; boundary=\"_000_DB7PR02MB1234ABCD_\"\n\n"
               "--_000_DB7PR02MB1234ABCD_\nContent-Type: text/plain; charset=\"utf-8\"\n"
               "Content-Transfer-Encoding: base64\n\n"
               + b64("Back on fire again\n\nGet Outlook for iOS<https://aka.example/o0ukef>\n"
                     "________________________________\nFrom: Acme Support <support@acme.example>\n"
                     "Sent: Monday, November 23, 2026 4:02:11 PM\nTo: Alice Customer <alice@customer.example>\n"
                     "Subject: Re: [#ACME-1] Printer on fire\n\nHave you tried turning it off?\n")
               + "\n--_000_DB7PR02MB1234ABCD_\nContent-Type: text/html; charset=\"utf-8\"\n"
               "Content-Transfer-Encoding: base64\n\n"
               + b64("<html><body><div dir=\"ltr\">Back on fire again</div><hr><div id=\"divRplyFwdMsg\">"
                     "<b>From:</b> Acme Support<br><b>Sent:</b> Monday</div><div>Have you tried turning it off?"
                     "</div></body></html>")
               + "\n--_000_DB7PR02MB1234ABCD_--\n", mailer="", reply_to=OUT_ACME),
        "Outlook for iOS: base64 UTF-8 parts, 'Get Outlook for iOS' and a divRplyFwdMsg history block",
        "appended", ticket="ACME-1", new_text_contains=["Back on fire again"],
        new_text_excludes=["turning it off"],
    ),
    fixture(
        "samsung-email",
        mobile("Billing question", "<abcdef0123456789.samsung1@email.android.example>",
               "Content-Type: multipart/alternative; boundary=\"--_com.samsung.android.email_1795511703123456\"\n\n"
               "----_com.samsung.android.email_1795511703123456\nContent-Type: text/plain; charset=utf-8\n"
               "Content-Transfer-Encoding: base64\n\n"
               + b64("Why was I billed twice?\n\n\n\nSent from my Galaxy\n")
               + "\n\n----_com.samsung.android.email_1795511703123456\nContent-Type: text/html; charset=utf-8\n"
               "Content-Transfer-Encoding: base64\n\n"
               + b64("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"></head>"
                     "<body dir=\"auto\"><div dir=\"auto\">Why was I billed twice?</div><div dir=\"auto\"><br>"
                     "</div><div id=\"composer_signature\" dir=\"auto\"><div style=\"font-size:85%;color:#575757\" "
                     "dir=\"auto\">Sent from my Galaxy</div></div></body></html>")
               + "\n\n----_com.samsung.android.email_1795511703123456--\n", mailer=""),
        "Samsung Email: a boundary starting with dashes, base64 text and HTML",
        "created", text_contains=["billed twice"], html_contains=["billed twice"],
    ),
    fixture(
        "japanese-carrier-iso2022jp",
        mobile(word_b("パスワードを忘れました", "iso-2022-jp"), "<20261124101502.A1B2C3@docomo.example>",
               "Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n"
               + "パスワードを忘れました。再設定してください。\n".encode("iso-2022-jp").decode("ascii"),
               mailer="X-Mailer: NTT DOCOMO Mail", sender=f"{word_b('山田花子', 'iso-2022-jp')} <hanako@docomo.example>",
               date="Tue, 24 Nov 2026 18:15:02 +0900"),
        "Japanese carrier mail: ISO-2022-JP 7-bit body, B encoded subject and name",
        "created", subject="パスワードを忘れました", from_name="山田花子", text_contains=["再設定してください"],
    ),
    fixture(
        "android-generic-subject-token",
        mobile("Re: [#ACME-1] Printer on fire", "<k9mail.a1b2c3d4@customer.example>",
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
               + qp("Update: the fire is out.\n\n-- \nSent from my Android device with K-9 Mail.\n"),
               mailer="User-Agent: K-9 Mail for Android"),
        "K-9 Mail reply that dropped In-Reply-To: threads by the subject token",
        "appended", ticket="ACME-1", new_text_contains=["the fire is out"],
    ),
    fixture(
        "blackberry-hub",
        mobile("Re: Printer on fire", "<1234567890-1234567890-bbhub@customer.example>",
               "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: base64\n\n"
               + b64("Please escalate.\nSent from my BlackBerry 10 smartphone.\n  Original Message  \n"
                     "From: Acme Support\nSent: Monday, 23 November 2026 16:02\nTo: Alice Customer\n"
                     "Subject: Re: Printer on fire\n\nHave you tried turning it off?\n"),
               mailer="", reply_to=ANCHOR_1),
        "BlackBerry Hub: history starts with a From:/Sent: block below '  Original Message  '",
        "appended", ticket="ACME-1", new_text_contains=["Please escalate."], new_text_excludes=["turning it off"],
    ),
    fixture(
        "iphone-html-inline-cid",
        mobile("Wrong colour delivered", "<B4C5D6E7-F809-4A1B-B2C3-D4E5F6071829@customer.example>",
               "Content-Type: multipart/related; type=\"text/html\"; "
               "boundary=Apple-Mail-9F2A3B4C-5D6E-7F80-91A2-B3C4D5E6F708\nContent-Transfer-Encoding: 7bit\n\n"
               "--Apple-Mail-9F2A3B4C-5D6E-7F80-91A2-B3C4D5E6F708\nContent-Type: text/html; charset=utf-8\n"
               "Content-Transfer-Encoding: 7bit\n\n<html><body><div dir=\"ltr\">I ordered blue:</div>"
               "<div dir=\"ltr\"><img src=\"cid:1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9\" alt=\"image0.png\"></div>"
               "</body></html>\n--Apple-Mail-9F2A3B4C-5D6E-7F80-91A2-B3C4D5E6F708\n"
               "Content-Type: image/png; name=image0.png\nContent-Disposition: inline; filename=image0.png\n"
               "Content-Id: <1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F9>\nContent-Transfer-Encoding: base64\n\n"
               + b64(PNG) + "\n--Apple-Mail-9F2A3B4C-5D6E-7F80-91A2-B3C4D5E6F708--\n", mailer=IPHONE),
        "iOS Mail HTML with an inline photo (uppercase UUID Content-Id) in multipart/related",
        "created", text_contains=["I ordered blue"], html_contains=["/inline"], html_excludes=["cid:"],
        attachments=[{"filename": "image0.png", "content_type": "image/png", "inline": True}],
    ),
]
