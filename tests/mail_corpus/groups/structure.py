"""MIME structures, whichever program builds them: text and HTML alternatives,
HTML-only mail, inline cid: images (multipart/related inside or around the
alternative), attachments of every kind (PDF, images, forwarded messages, TNEF,
calendar invites, S/MIME and PGP signatures), unnamed parts, several text parts
and a deep but legal nesting. The text part is the body when there is one; what
is not body is kept as an attachment under a usable name."""

import textwrap
from string import Template

from kit import ACME, ALICE, PDF, PNG, b64, fixture, qp

SIG = "-- "  # the signature delimiter keeps its trailing space
# Stand-ins for binary parts: the bytes only have to look like what they claim to be.
P7S = bytes.fromhex("3082064006092a864886f70d010702a08206313082062d020101310f300d06096086480165030402010500")
P7M = bytes.fromhex("308209a706092a864886f70d010703a0820998308209940201003182024c30820248020100") + bytes(range(96))
TNEF = bytes.fromhex("789f3e22a8fd0106900800040000000000010001000100079006000000e4040000") + b"\x00" * 48


def t(template: str, /, **parts: str) -> str:
    """A fixture template: dedented first, then $names filled in (base64 blocks have no indent)."""
    return Template(textwrap.dedent(template).lstrip("\n")).substitute(parts)


def ical(method: str, uid: str, summary: str, organizer: str,
         prodid: str = "-//Google Inc//Google Calendar 70.9054//EN") -> str:
    return (f"BEGIN:VCALENDAR\nPRODID:{prodid}\nVERSION:2.0\nCALSCALE:GREGORIAN\n"
            f"METHOD:{method}\nBEGIN:VEVENT\nDTSTART:20261126T130000Z\nDTEND:20261126T133000Z\n"
            f"DTSTAMP:20261124T081502Z\nORGANIZER;CN=Alice Customer:mailto:{organizer}\nUID:{uid}\n"
            f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE\n ;CN={ACME};"
            f"X-NUM-GUESTS=0:mailto:{ACME}\nCREATED:20261124T081500Z\nDESCRIPTION:Walk through the printer logs"
            f" together.\nLAST-MODIFIED:20261124T081502Z\nLOCATION:\nSEQUENCE:0\nSTATUS:CONFIRMED\n"
            f"SUMMARY:{summary}\nTRANSP:OPAQUE\nEND:VEVENT\nEND:VCALENDAR\n")


OWA_HTML = """\
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>
</head>
<body dir="ltr">
<div style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">
Hello,</div>
<div style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">
<br>
</div>
<div style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">
the new toner cartridge <b>TN-2420</b> is not recognised: the display says "Replace toner" although it is brand new. <a href="https://shop.example/orders/77123" id="LPlnk482211">Order page</a></div>
<div style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">
<br>
</div>
<div style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">
Alice</div>
</body>
</html>
"""

OUTLOOK_RELATED_HTML = """\
<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=us-ascii">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<!--[if !mso]><style>v\\:* {behavior:url(#default#VML);}
</style><![endif]--><style><!--
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{margin:0cm;
\tfont-size:11.0pt;
\tfont-family:"Calibri",sans-serif;}
--></style>
</head>
<body lang="EN-GB" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
<p class="MsoNormal">Hello,<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">this is what the printer display shows after the fire alarm:<o:p></o:p></p>
<p class="MsoNormal"><img width="320" height="240" style="width:3.3333in;height:2.5in" id="Picture_x0020_1" src="cid:image001.png@01DB3E4F.5A6B7C80" alt="Display showing error E-51"><o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Kind regards,<o:p></o:p></p>
<p class="MsoNormal">Alice<o:p></o:p></p>
</div>
</body>
</html>
"""

FIXTURES = [
    fixture(
        "alternative-text-and-html",
        t("""
            Received: from AM9PR07MB7188.eurprd07.prod.outlook.example (2603:10a6:20b:3c1::14) by
             DB9PR07MB7100.eurprd07.prod.outlook.example with HTTPS; Tue, 24 Nov 2026 08:41:17 +0000
            From: Alice Customer <alice@customer.example>
            To: Acme Support <support@acme.example>
            Subject: Toner cartridge not recognised
            Thread-Topic: Toner cartridge not recognised
            Thread-Index: AQHbPk9aY2xvdWRjYXJ0cmlkZ2U=
            Date: Tue, 24 Nov 2026 08:41:17 +0000
            Message-ID: <AM9PR07MB71884C2E1F0A7D3B9E5C2A47F1A02@AM9PR07MB7188.eurprd07.prod.outlook.example>
            Accept-Language: en-GB, en-US
            Content-Language: en-GB
            X-MS-Has-Attach:
            X-MS-TNEF-Correlator:
            msip_labels:
            Content-Type: multipart/alternative;
            \tboundary="_000_AM9PR07MB71884C2E1F0A7D3B9E5C2A47F1A02AM9PR07MB7188eurp_"
            MIME-Version: 1.0

            --_000_AM9PR07MB71884C2E1F0A7D3B9E5C2A47F1A02AM9PR07MB7188eurp_
            Content-Type: text/plain; charset="iso-8859-1"
            Content-Transfer-Encoding: quoted-printable

            $text
            --_000_AM9PR07MB71884C2E1F0A7D3B9E5C2A47F1A02AM9PR07MB7188eurp_
            Content-Type: text/html; charset="iso-8859-1"
            Content-Transfer-Encoding: quoted-printable

            $html
            --_000_AM9PR07MB71884C2E1F0A7D3B9E5C2A47F1A02AM9PR07MB7188eurp_--
            """,
          text=qp("Hello,\n\nthe new toner cartridge TN-2420 is not recognised: the display says \"Replace "
                  "toner\" although it is brand new. Order page<https://shop.example/orders/77123>\n\nAlice\n",
                  "iso-8859-1"),
          html=qp(OWA_HTML, "iso-8859-1")),
        "Outlook on the web: multipart/alternative, both parts quoted-printable; the text part is the body "
        "(its 'label<url>' link only exists there), the HTML is kept without its <style> block",
        "created", subject="Toner cartridge not recognised",
        text_contains=["Order page<https://shop.example/orders/77123>", "TN-2420 is not recognised"],
        html_contains=["<b>TN-2420</b>", 'href="https://shop.example/orders/77123"'],
        html_excludes=["<style", "margin-top", "<meta"], attachments=[],
    ),
    fixture(
        "html-only",
        t("""
            Return-Path: <www-data@web1.customer.example>
            Date: Tue, 24 Nov 2026 08:02:44 +0000
            To: support@acme.example
            From: Customer Example website <noreply@customer.example>
            Reply-To: Dana Example <dana@customer.example>
            Subject: Contact form: paper jam in tray 3
            Message-ID: <Xq3vR8bM2kT7sN1pW4yZ6cA9dF0gH5jL@web1.customer.example>
            X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)
            MIME-Version: 1.0
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            $html
            """,
          html=qp("<!DOCTYPE html>\n<html><head><title>Contact form</title>\n<style>body{font-family:Arial}"
                  "</style></head>\n<body>\n<h2>New contact form submission</h2>\n<p><strong>Name:</strong> "
                  "Dana Example<br>\n<strong>Department:</strong> R&amp;D &ndash; 2nd floor</p>\n"
                  "<p><strong>Message:</strong><br>\nThe printer in room 2.14 jams in tray&nbsp;3 every "
                  "morning.<br>\nCould someone come by before 10:00?</p>\n<script>track('form')</script>\n"
                  "</body></html>\n")),
        "HTML-only mail from a website's contact form (PHPMailer): the text is derived from the HTML, "
        "entities decoded, line breaks kept; the stored HTML has neither the script nor the style",
        "created", from_email="noreply@customer.example", subject="Contact form: paper jam in tray 3",
        text_contains=["Dana Example", "R&D – 2nd floor", "jams in tray 3 every morning.\nCould someone"],
        new_text_contains=["Could someone come by before 10:00?"],
        html_contains=["<strong>Name:</strong>", "R&amp;D"], html_excludes=["<script", "track(", "font-family"],
    ),
    fixture(
        "related-inline-image",
        t("""
            From: Alice Customer <alice@customer.example>
            To: "support@acme.example" <support@acme.example>
            Subject: Error on the printer display
            Thread-Topic: Error on the printer display
            Thread-Index: AdtGK3x1m9V0c8P0QkS3i1rYbWqJXg==
            Date: Tue, 24 Nov 2026 08:50:31 +0000
            Message-ID: <DB9PR07MB7100A1F2E3D4C5B6A7988796A5B4C3D2@DB9PR07MB7100.eurprd07.prod.outlook.example>
            Accept-Language: en-GB, en-US
            Content-Language: en-GB
            X-MS-Has-Attach: yes
            X-MS-TNEF-Correlator:
            X-Mailer: Microsoft Outlook 16.0
            Content-Type: multipart/related;
            \tboundary="_004_DB9PR07MB7100A1F2E3D4C5B6A7988796A5B4C3D2DB9PR07MB7100eurp_";
            \ttype="multipart/alternative"
            MIME-Version: 1.0

            --_004_DB9PR07MB7100A1F2E3D4C5B6A7988796A5B4C3D2DB9PR07MB7100eurp_
            Content-Type: multipart/alternative;
            \tboundary="_000_DB9PR07MB7100A1F2E3D4C5B6A7988796A5B4C3D2DB9PR07MB7100eurp_"

            --_000_DB9PR07MB7100A1F2E3D4C5B6A7988796A5B4C3D2DB9PR07MB7100eurp_
            Content-Type: text/plain; charset="us-ascii"
            Content-Transfer-Encoding: quoted-printable

            Hello,

            this is what the printer display shows after the fire alarm:

            [cid:image001.png@01DB3E4F.5A6B7C80]

            Kind regards,
            Alice

            --_000_DB9PR07MB7100A1F2E3D4C5B6A7988796A5B4C3D2DB9PR07MB7100eurp_
            Content-Type: text/html; charset="us-ascii"
            Content-Transfer-Encoding: quoted-printable

            $html
            --_000_DB9PR07MB7100A1F2E3D4C5B6A7988796A5B4C3D2DB9PR07MB7100eurp_--

            --_004_DB9PR07MB7100A1F2E3D4C5B6A7988796A5B4C3D2DB9PR07MB7100eurp_
            Content-Type: image/png; name="image001.png"
            Content-Description: image001.png
            Content-Disposition: inline; filename="image001.png"; size=69;
            \tcreation-date="Tue, 24 Nov 2026 08:50:30 GMT";
            \tmodification-date="Tue, 24 Nov 2026 08:50:30 GMT"
            Content-ID: <image001.png@01DB3E4F.5A6B7C80>
            Content-Transfer-Encoding: base64

            $png
            --_004_DB9PR07MB7100A1F2E3D4C5B6A7988796A5B4C3D2DB9PR07MB7100eurp_--
            """, html=qp(OUTLOOK_RELATED_HTML), png=b64(PNG)),
        "Outlook desktop: multipart/related (type multipart/alternative) with the pasted screenshot as a "
        "cid: image; it is an inline attachment and the HTML points at our inline URL, not at cid:",
        "created", text_contains=["what the printer display shows"],
        attachments=[{"filename": "image001.png", "content_type": "image/png", "inline": True}],
        html_contains=["/agent/api/attachments/", "/inline", 'alt="Display showing error E-51"'],
        html_excludes=["cid:"],
    ),
    fixture(
        "alternative-around-related",
        t("""
            From: Alice Customer <alice@customer.example>
            Content-Type: multipart/alternative;
            \tboundary="Apple-Mail=_9C1E4B7A-3D2F-4E8B-A6C5-1F0D2E3C4B5A"
            Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.200.121\\))
            Subject: Scanner output is striped
            Message-Id: <5E2A9D41-7B3C-4F1E-8A6D-0C9B8E7F6A5D@customer.example>
            Date: Tue, 24 Nov 2026 09:05:12 +0100
            To: support@acme.example
            X-Mailer: Apple Mail (2.3826.200.121)

            --Apple-Mail=_9C1E4B7A-3D2F-4E8B-A6C5-1F0D2E3C4B5A
            Content-Transfer-Encoding: 7bit
            Content-Type: text/plain;
            \tcharset=us-ascii

            Every scan comes out with grey stripes, see the picture:

            Alice

            --Apple-Mail=_9C1E4B7A-3D2F-4E8B-A6C5-1F0D2E3C4B5A
            Content-Type: multipart/related;
            \ttype="text/html";
            \tboundary="Apple-Mail=_2B7F0E93-8C4D-4A1B-9E6F-5D3C2B1A0F9E"

            --Apple-Mail=_2B7F0E93-8C4D-4A1B-9E6F-5D3C2B1A0F9E
            Content-Transfer-Encoding: 7bit
            Content-Type: text/html;
            \tcharset=us-ascii

            <html aria-label="message body"><head><meta http-equiv="content-type" content="text/html; charset=us-ascii"></head><body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">Every scan comes out with grey stripes, see the picture:<div><br></div><div><img apple-inline="yes" id="D7A1C9E2-6B3F-4C8D-9A0E-1F2B3C4D5E6F" src="cid:8F3B1C2D-4E5A-4B6C-9D7E-0A1B2C3D4E5F"></div><div><br></div><div>Alice</div></body></html>
            --Apple-Mail=_2B7F0E93-8C4D-4A1B-9E6F-5D3C2B1A0F9E
            Content-Transfer-Encoding: base64
            Content-Disposition: inline;
            \tfilename="Scan 2026-11-24 at 09.03.55.png"
            Content-Type: image/png;
            \tx-unix-mode=0644;
            \tname="Scan 2026-11-24 at 09.03.55.png"
            Content-Id: <8F3B1C2D-4E5A-4B6C-9D7E-0A1B2C3D4E5F>

            $png
            --Apple-Mail=_2B7F0E93-8C4D-4A1B-9E6F-5D3C2B1A0F9E--

            --Apple-Mail=_9C1E4B7A-3D2F-4E8B-A6C5-1F0D2E3C4B5A--
            """, png=b64(PNG)),
        "Apple Mail: multipart/alternative whose HTML branch is a multipart/related holding the image (the "
        "other nesting order); Content-Id without the usual @domain, still matched and rewritten",
        "created", text_contains=["grey stripes"],
        attachments=[{"filename": "Scan 2026-11-24 at 09.03.55.png", "content_type": "image/png", "inline": True}],
        html_contains=["/inline", "grey stripes"], html_excludes=["cid:"],
    ),
    fixture(
        "mixed-pdf-and-image",
        t("""
            From: Alice Customer <alice@customer.example>
            To: Acme Support <support@acme.example>
            Subject: Invoice and photo of the damaged unit
            Thread-Topic: Invoice and photo of the damaged unit
            Thread-Index: AdtGLAb0Q2u0b7P1SIm6bXq4yBnTQA==
            Date: Tue, 24 Nov 2026 09:12:08 +0000
            Message-ID: <DB9PR07MB71005F6E7D8C9BA0B1C2D3E4F5A6B7C8@DB9PR07MB7100.eurprd07.prod.outlook.example>
            Accept-Language: en-GB, en-US
            Content-Language: en-GB
            X-MS-Has-Attach: yes
            X-MS-TNEF-Correlator:
            Content-Type: multipart/mixed;
            \tboundary="_005_DB9PR07MB71005F6E7D8C9BA0B1C2D3E4F5A6B7C8DB9PR07MB7100eurp_"
            MIME-Version: 1.0

            --_005_DB9PR07MB71005F6E7D8C9BA0B1C2D3E4F5A6B7C8DB9PR07MB7100eurp_
            Content-Type: text/plain; charset="us-ascii"
            Content-Transfer-Encoding: quoted-printable

            Hello,

            attached are the invoice and a photo of the damaged unit.

            Alice

            --_005_DB9PR07MB71005F6E7D8C9BA0B1C2D3E4F5A6B7C8DB9PR07MB7100eurp_
            Content-Type: application/pdf; name="Invoice 2026-1142.pdf"
            Content-Description: Invoice 2026-1142.pdf
            Content-Disposition: attachment; filename="Invoice 2026-1142.pdf"; size=78;
            \tcreation-date="Tue, 24 Nov 2026 09:11:40 GMT";
            \tmodification-date="Tue, 24 Nov 2026 09:11:40 GMT"
            Content-ID: <6A1C0F3E2B8D4A47B9C5E1D0F2A3B4C5@eurprd07.prod.outlook.example>
            Content-Transfer-Encoding: base64

            $pdf

            --_005_DB9PR07MB71005F6E7D8C9BA0B1C2D3E4F5A6B7C8DB9PR07MB7100eurp_
            Content-Type: image/png; name="damaged-unit.png"
            Content-Description: damaged-unit.png
            Content-Disposition: attachment; filename="damaged-unit.png"; size=69;
            \tcreation-date="Tue, 24 Nov 2026 09:11:52 GMT";
            \tmodification-date="Tue, 24 Nov 2026 09:11:52 GMT"
            Content-ID: <8C3E2A1F4D0B4C69A7E3F2D1C0B9A8F7@eurprd07.prod.outlook.example>
            Content-Transfer-Encoding: base64

            $png

            --_005_DB9PR07MB71005F6E7D8C9BA0B1C2D3E4F5A6B7C8DB9PR07MB7100eurp_--
            """, pdf=b64(PDF), png=b64(PNG)),
        "Exchange Online: multipart/mixed with a PDF and a photo; Exchange gives every attachment a Content-ID, "
        "but disposition attachment means a plain attachment, not an inline image",
        "created", text_contains=["invoice and a photo of the damaged unit"],
        attachments=[{"filename": "Invoice 2026-1142.pdf", "content_type": "application/pdf", "inline": False},
                     {"filename": "damaged-unit.png", "content_type": "image/png", "inline": False}],
    ),
    fixture(
        "forwarded-message-attachment",
        t("""
            From: Alice Customer <alice@customer.example>
            To: Acme Support <support@acme.example>
            Subject: FW: Rechnung =?utf-8?Q?f=C3=BCr?= November
            Thread-Topic: =?utf-8?Q?Rechnung_f=C3=BCr_November?=
            Thread-Index: AQHbPlAAzFwYmT1Eo0qpcDtqMW2qqw==
            Date: Tue, 24 Nov 2026 09:20:44 +0000
            Message-ID: <DB9PR07MB7100C0FFEE11223344556677889900AB@DB9PR07MB7100.eurprd07.prod.outlook.example>
            Content-Language: de-DE
            X-MS-Has-Attach: yes
            X-Mailer: Microsoft Outlook 16.0
            Content-Type: multipart/mixed;
            \tboundary="_006_DB9PR07MB7100C0FFEE11223344556677889900ABDB9PR07MB7100eurp_"
            MIME-Version: 1.0

            --_006_DB9PR07MB7100C0FFEE11223344556677889900ABDB9PR07MB7100eurp_
            Content-Type: text/plain; charset="utf-8"
            Content-Transfer-Encoding: base64

            $note
            --_006_DB9PR07MB7100C0FFEE11223344556677889900ABDB9PR07MB7100eurp_
            Content-Type: message/rfc822
            Content-Disposition: attachment

            Received: from mx.shop.example (mx.shop.example [198.51.100.20])
             by mail.customer.example with ESMTPS; Mon, 23 Nov 2026 17:00:02 +0100
            From: Shop Buchhaltung <buchhaltung@shop.example>
            To: Alice Customer <alice@customer.example>
            Subject: =?utf-8?Q?Rechnung_f=C3=BCr_November?=
            Date: Mon, 23 Nov 2026 17:00:00 +0100
            Message-ID: <rechnung-2026-11-4711@shop.example>
            MIME-Version: 1.0
            Content-Type: text/plain; charset="utf-8"
            Content-Transfer-Encoding: 8bit

            Ihre Rechnung Nr. 4711 über 249,00 EUR finden Sie im Kundenkonto.

            --_006_DB9PR07MB7100C0FFEE11223344556677889900ABDB9PR07MB7100eurp_--
            """, note=b64("Hallo,\n\ndie angehängte Rechnung wurde doppelt abgebucht.\n\nAlice\n")),
        "Outlook 'Forward as attachment': message/rfc822 with no file name is kept whole, named after its "
        "decoded subject; its text is not part of the body",
        "created", subject="FW: Rechnung für November", text_contains=["doppelt abgebucht"],
        new_text_excludes=["249,00 EUR"],
        attachments=[{"filename": "Rechnung für November.eml", "content_type": "message/rfc822", "inline": False}],
    ),
    fixture(
        "tnef-without-name",
        t("""
            Received: from EXCH2016.corp.customer.example (10.2.0.15) by EXCH2016.corp.customer.example
             (10.2.0.15) with Microsoft SMTP Server id 15.1.2507.39; Tue, 24 Nov 2026 10:02:11 +0100
            From: Alice Customer <alice@customer.example>
            To: Acme Support <support@acme.example>
            Subject: Maintenance contract renewal
            Thread-Topic: Maintenance contract renewal
            Thread-Index: AdtGNQ5UqNQmC9yAQ4Wg7r3LmZc3Ew==
            Date: Tue, 24 Nov 2026 10:02:10 +0100
            Message-ID: <7d1c2b3a4f5e4d6c8b9a0f1e2d3c4b5a@EXCH2016.corp.customer.example>
            Content-Language: en-US
            X-MS-Has-Attach: yes
            X-MS-TNEF-Correlator: <7d1c2b3a4f5e4d6c8b9a0f1e2d3c4b5a@EXCH2016.corp.customer.example>
            MIME-Version: 1.0
            Content-Type: multipart/mixed;
            \tboundary="_000_7d1c2b3a4f5e4d6c8b9a0f1e2d3c4b5aEXCH2016corpcustomerexa_"

            --_000_7d1c2b3a4f5e4d6c8b9a0f1e2d3c4b5aEXCH2016corpcustomerexa_
            Content-Type: text/plain; charset="us-ascii"
            Content-Transfer-Encoding: 7bit

            Please find the signed renewal attached (rich text).

            --_000_7d1c2b3a4f5e4d6c8b9a0f1e2d3c4b5aEXCH2016corpcustomerexa_
            Content-Type: application/ms-tnef
            Content-Transfer-Encoding: base64

            $tnef
            --_000_7d1c2b3a4f5e4d6c8b9a0f1e2d3c4b5aEXCH2016corpcustomerexa_--
            """, tnef=b64(TNEF)),
        "On-premises Exchange sending rich text through a gateway that stripped the part's name: the bare "
        "application/ms-tnef part is still kept, as winmail.dat",
        "created", text_contains=["signed renewal attached"],
        attachments=[{"filename": "winmail.dat", "content_type": "application/ms-tnef", "inline": False}],
    ),
    fixture(
        "calendar-invite-outlook",
        t("""
            From: Alice Customer <alice@customer.example>
            To: Acme Support <support@acme.example>
            Subject: Printer walkthrough call
            Thread-Topic: Printer walkthrough call
            Thread-Index: AdtGNqkC8k2uX8m0SdmVjUJHpmVYxg==
            Date: Tue, 24 Nov 2026 09:31:02 +0000
            Message-ID: <DB9PR07MB7100D1E2F3A4B5C6D7E8F9A0B1C2D3E4@DB9PR07MB7100.eurprd07.prod.outlook.example>
            Content-Language: en-GB
            X-MS-Has-Attach:
            X-MS-TNEF-Correlator:
            Content-class: urn:content-classes:calendarmessage
            Content-Type: multipart/alternative;
            \tboundary="_000_DB9PR07MB7100D1E2F3A4B5C6D7E8F9A0B1C2D3E4DB9PR07MB7100eurp_"
            MIME-Version: 1.0

            --_000_DB9PR07MB7100D1E2F3A4B5C6D7E8F9A0B1C2D3E4DB9PR07MB7100eurp_
            Content-Type: text/plain; charset="us-ascii"
            Content-Transfer-Encoding: quoted-printable

            When: Thursday, 26 November 2026 14:00-14:30 (UTC+01:00) Amsterdam, Berlin, Rome.
            Where: Microsoft Teams Meeting

            Let us walk through the printer logs together.

            --_000_DB9PR07MB7100D1E2F3A4B5C6D7E8F9A0B1C2D3E4DB9PR07MB7100eurp_
            Content-Type: text/html; charset="us-ascii"
            Content-Transfer-Encoding: quoted-printable

            <html><body><p>When: Thursday, 26 November 2026 14:00-14:30</p><p>Let us walk through the printer logs together.</p></body></html>

            --_000_DB9PR07MB7100D1E2F3A4B5C6D7E8F9A0B1C2D3E4DB9PR07MB7100eurp_
            Content-Type: text/calendar; charset="utf-8"; method=REQUEST
            Content-Transfer-Encoding: base64

            $ics
            --_000_DB9PR07MB7100D1E2F3A4B5C6D7E8F9A0B1C2D3E4DB9PR07MB7100eurp_--
            """, ics=b64(ical("REQUEST", "040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5",
                              "Printer walkthrough call", ALICE, "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN"))),
        "Outlook meeting request: the text/calendar method=REQUEST is a third alternative with no name; "
        "the text part is the body and the invitation is kept as invite.ics",
        "created", text_contains=["When: Thursday, 26 November 2026"],
        attachments=[{"filename": "invite.ics", "content_type": "text/calendar", "inline": False}],
    ),
    fixture(
        "calendar-invite-google",
        t("""
            MIME-Version: 1.0
            Date: Tue, 24 Nov 2026 08:15:02 +0000
            Reply-To: Alice Customer <alice@customer.example>
            Message-ID: <calendar-5c1e2f3a-4b6d-4e7f-8a9b-0c1d2e3f4a5b@google.com>
            Subject: Invitation: Printer walkthrough @ Thu 26 Nov 2026 14:00 - 14:30 (CET) (support@acme.example)
            From: Alice Customer <alice@customer.example>
            To: support@acme.example
            Content-Type: multipart/mixed; boundary="000000000000b7c8d9e0f1a2b3c4"

            --000000000000b7c8d9e0f1a2b3c4
            Content-Type: multipart/alternative; boundary="000000000000b7c8d9e0f1a2b3c3"

            --000000000000b7c8d9e0f1a2b3c3
            Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes
            Content-Transfer-Encoding: base64

            $text
            --000000000000b7c8d9e0f1a2b3c3
            Content-Type: text/html; charset="UTF-8"
            Content-Transfer-Encoding: quoted-printable

            <span itemscope itemtype=3D"http://schema.org/InformAction"><p>Printer walk=
            through</p><p>Thursday 26 Nov 2026 =E2=8B=85 14:00 =E2=80=93 14:30</p></span>
            --000000000000b7c8d9e0f1a2b3c3
            Content-Type: text/calendar; charset="UTF-8"; method=REQUEST
            Content-Transfer-Encoding: 7bit

            $ics
            --000000000000b7c8d9e0f1a2b3c3--

            --000000000000b7c8d9e0f1a2b3c4
            Content-Type: application/ics; name="invite.ics"
            Content-Disposition: attachment; filename="invite.ics"
            Content-Transfer-Encoding: base64

            $ics64
            --000000000000b7c8d9e0f1a2b3c4--
            """,
          text=b64("Printer walkthrough\nThursday 26 Nov 2026 ⋅ 14:00 – 14:30\nCentral European Time - Berlin\n\n"
                   "Walk through the printer logs together.\n"),
          ics=ical("REQUEST", "5c1e2f3a4b6d4e7f8a9b@google.com", "Printer walkthrough", ALICE).rstrip("\n"),
          ics64=b64(ical("REQUEST", "5c1e2f3a4b6d4e7f8a9b@google.com", "Printer walkthrough", ALICE))),
        "Google Calendar invitation: text/calendar inside the alternative and the same invitation again as "
        "an application/ics invite.ics file; both kept, the text part is the body",
        "created", text_contains=["Thursday 26 Nov 2026 ⋅ 14:00 – 14:30"],
        attachments=[{"filename": "invite.ics", "content_type": "text/calendar", "inline": False},
                     {"filename": "invite.ics", "content_type": "application/ics", "inline": False}],
    ),
    fixture(
        "smime-signed",
        t("""
            From: Alice Customer <alice@customer.example>
            Content-Type: multipart/signed;
            \tboundary="Apple-Mail=_0E4F1A2B-3C5D-4E6F-8091-A2B3C4D5E6F7";
            \tprotocol="application/pkcs7-signature";
            \tmicalg=sha-256
            Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.200.121\\))
            Subject: Signed purchase order 8812
            Message-Id: <A1B2C3D4-E5F6-4708-9A1B-2C3D4E5F6071@customer.example>
            Date: Tue, 24 Nov 2026 09:44:19 +0100
            To: support@acme.example
            X-Mailer: Apple Mail (2.3826.200.121)

            --Apple-Mail=_0E4F1A2B-3C5D-4E6F-8091-A2B3C4D5E6F7
            Content-Transfer-Encoding: 7bit
            Content-Type: text/plain;
            \tcharset=us-ascii

            Purchase order 8812 is approved: two replacement fusers, delivery to building B.

            Alice
            --Apple-Mail=_0E4F1A2B-3C5D-4E6F-8091-A2B3C4D5E6F7
            Content-Disposition: attachment;
            \tfilename=smime.p7s
            Content-Type: application/pkcs7-signature;
            \tname=smime.p7s
            Content-Transfer-Encoding: base64

            $p7s
            --Apple-Mail=_0E4F1A2B-3C5D-4E6F-8091-A2B3C4D5E6F7--
            """, p7s=b64(P7S)),
        "Apple Mail S/MIME signed (multipart/signed, protocol application/pkcs7-signature): the text is read, "
        "the smime.p7s signature kept as an attachment",
        "created", text_contains=["Purchase order 8812 is approved"], new_text_excludes=[b64(P7S)[:24]],
        attachments=[{"filename": "smime.p7s", "content_type": "application/pkcs7-signature", "inline": False}],
    ),
    fixture(
        "smime-encrypted",
        t("""
            From: Alice Customer <alice@customer.example>
            To: Acme Support <support@acme.example>
            Subject: Confidential: admin password for the print server
            Thread-Topic: Confidential: admin password for the print server
            Thread-Index: AdtGOC0b7rVwS6e5Q9ymLCZr2j3O1A==
            Date: Tue, 24 Nov 2026 09:48:00 +0000
            Message-ID: <DB9PR07MB7100E5F6A7B8C9D0E1F2A3B4C5D6E7F8@DB9PR07MB7100.eurprd07.prod.outlook.example>
            Content-Language: en-GB
            X-MS-Has-Attach: yes
            X-Mailer: Microsoft Outlook 16.0
            Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"
            Content-Disposition: attachment; filename="smime.p7m"
            Content-Transfer-Encoding: base64
            MIME-Version: 1.0

            $p7m
            """, p7m=b64(P7M)),
        "Outlook S/MIME encrypted mail: the whole message is one application/pkcs7-mime part we cannot read; "
        "it is filed with no text and the smime.p7m kept for someone with the key",
        "created", subject="Confidential: admin password for the print server",
        attachments=[{"filename": "smime.p7m", "content_type": "application/pkcs7-mime", "inline": False}],
    ),
    fixture(
        "pgp-mime-signed",
        t("""
            Date: Tue, 24 Nov 2026 10:05:33 +0100
            From: Alice Customer <alice@customer.example>
            To: support@acme.example
            Subject: CUPS error after the update
            Message-ID: <20261124090533.k4xq7wz2m3n5b6v7@customer.example>
            MIME-Version: 1.0
            Content-Type: multipart/signed; micalg=pgp-sha512;
            \tprotocol="application/pgp-signature"; boundary="7dfxnqk3w2lm5yzr"
            Content-Disposition: inline
            User-Agent: NeoMutt/20231103

            --7dfxnqk3w2lm5yzr
            Content-Type: text/plain; charset=us-ascii
            Content-Disposition: inline

            Hi,

            since the update CUPS says "filter failed" for every job on the
            fourth-floor printer.

            $sig
            Alice

            --7dfxnqk3w2lm5yzr
            Content-Type: application/pgp-signature; name="signature.asc"

            -----BEGIN PGP SIGNATURE-----

            iQIzBAEBCgAdFiEEq1w2e3r4t5y6u7i8o9p0a1s2d3fFAmdC5Q0ACgkQo9p0a1s2
            d3dC7w/+N2Jj0sR4vXk1Q9wM8yZ3tL6pH0fG5aB7cD2eE9fF1gG3hH4iI5jJ6kK
            =Qm3x
            -----END PGP SIGNATURE-----

            --7dfxnqk3w2lm5yzr--
            """, sig=SIG),
        "NeoMutt PGP/MIME signed: text/plain plus application/pgp-signature named only in Content-Type "
        "(signature.asc); the text is the body, the signature an attachment",
        "created", text_contains=["filter failed"], new_text_excludes=["BEGIN PGP SIGNATURE"],
        attachments=[{"filename": "signature.asc", "content_type": "application/pgp-signature", "inline": False}],
    ),
    fixture(
        "inline-pgp-clearsigned",
        t("""
            Date: Tue, 24 Nov 2026 10:11:47 +0100
            From: Alice Customer <alice@customer.example>
            To: support@acme.example
            Subject: Please revoke the old badge
            Message-ID: <20261124101147.4a5b6c7d@customer.example>
            X-Mailer: Claws Mail 4.2.0 (GTK 3.24.38; x86_64-pc-linux-gnu)
            MIME-Version: 1.0
            Content-Type: text/plain; charset=US-ASCII
            Content-Transfer-Encoding: 7bit

            -----BEGIN PGP SIGNED MESSAGE-----
            Hash: SHA256

            Hello,

            please revoke badge 4471; it was lost yesterday.
            - -----
            Thanks

            - -$sig
            Alice
            -----BEGIN PGP SIGNATURE-----

            iHUEARYIAB0WIQRk2m3n4o5p6q7r8s9t0u1v2w3x4wUCZ0LnowAKCRBv2w3x4y5z
            6a7b8c9d0e1f2g3h4i5j6k7l8m9n0o1p2q3r4s5t6u7v8w9x0y1z2a3b4c5d6e7f
            =aB9c
            -----END PGP SIGNATURE-----
            """, sig=SIG),
        "Claws Mail inline PGP (clear-signed text/plain): the whole text is kept; the new text is what "
        "was signed, without the armour and with the dash-escaping undone",
        "created", text_contains=["-----BEGIN PGP SIGNED MESSAGE-----", "please revoke badge 4471"],
        new_text_contains=["please revoke badge 4471; it was lost yesterday.\n-----\nThanks"],
        new_text_excludes=["BEGIN PGP", "Hash: SHA256", "END PGP SIGNATURE", "- -----"], attachments=[],
    ),
    fixture(
        "text-file-attachment",
        t("""
            Message-ID: <3b7c1d2e-8f9a-4b0c-9d1e-2f3a4b5c6d7e@customer.example>
            Date: Tue, 24 Nov 2026 10:20:05 +0100
            MIME-Version: 1.0
            User-Agent: Mozilla Thunderbird
            Content-Language: en-US
            To: support@acme.example
            From: Alice Customer <alice@customer.example>
            Subject: Printer log attached
            Content-Type: multipart/mixed; boundary="------------p1L0gF1lE2bOuNdArY3x4y5z"

            This is a multi-part message in MIME format.
            --------------p1L0gF1lE2bOuNdArY3x4y5z
            Content-Type: text/plain; charset=UTF-8; format=flowed
            Content-Transfer-Encoding: 7bit

            The log from this morning is attached.

            --------------p1L0gF1lE2bOuNdArY3x4y5z
            Content-Type: text/plain; charset=UTF-8; name="printer-log.txt"
            Content-Disposition: attachment; filename="printer-log.txt"
            Content-Transfer-Encoding: base64

            $log
            --------------p1L0gF1lE2bOuNdArY3x4y5z--
            """, log=b64("2026-11-24 07:58:01 E-51 fuser temperature out of range\n"
                         "2026-11-24 07:58:02 shutting down\n")),
        "Thunderbird attaching a .txt file: a text/plain part with Content-Disposition attachment is an "
        "attachment, its lines are not in the body",
        "created", text_contains=["The log from this morning is attached."],
        new_text_excludes=["fuser temperature out of range"],
        attachments=[{"filename": "printer-log.txt", "content_type": "text/plain", "inline": False}],
    ),
    fixture(
        "two-text-parts",
        t("""
            Received: from gw.customer.example (localhost [127.0.0.1])
            \tby gw.customer.example (8.17.1/8.17.1) with ESMTP id 4AO9Q1aB012345
            \tfor <support@acme.example>; Tue, 24 Nov 2026 10:26:03 +0100
            Date: Tue, 24 Nov 2026 10:26:01 +0100 (CET)
            From: Alice Customer <alice@customer.example>
            To: support@acme.example
            Subject: Duplex unit clicking
            Message-ID: <alpine.DEB.2.22.394.2611241025270.8812@workstation.customer.example>
            User-Agent: Alpine 2.26 (DEB 394 2022-12-08)
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="----=_MIMEDefang_boundary_4AO9Q1aB012345"
            X-Scanned-By: MIMEDefang 3.4.1

            This is a multi-part message in MIME format.

            ------=_MIMEDefang_boundary_4AO9Q1aB012345
            Content-Type: text/plain; format=flowed; charset=US-ASCII

            The duplex unit makes a loud clicking noise on every second page.

            ------=_MIMEDefang_boundary_4AO9Q1aB012345
            Content-Type: text/plain; charset=us-ascii
            Content-Disposition: inline

            Customer Example Ltd. - registered in Exampleshire, company no. 01234567.

            ------=_MIMEDefang_boundary_4AO9Q1aB012345--
            """),
        "Alpine through a MIMEDefang gateway that adds its disclaimer as a second inline text/plain part: "
        "both parts are body text, in order, and neither is an attachment",
        "created", text_contains=["loud clicking noise", "company no. 01234567"],
        new_text_contains=["clicking noise on every second page.\n\nCustomer Example Ltd."], attachments=[],
    ),
    fixture(
        "attachment-without-name",
        t("""
            Content-Type: multipart/mixed; boundary="===============4455667788990011223=="
            MIME-Version: 1.0
            From: backup@customer.example
            To: support@acme.example
            Subject: Nightly backup of print server failed
            Date: Tue, 24 Nov 2026 03:00:07 +0100
            Message-ID: <173241720712.4812.9876543210123456789@backup.customer.example>

            --===============4455667788990011223==
            Content-Type: text/plain; charset="us-ascii"
            MIME-Version: 1.0
            Content-Transfer-Encoding: 7bit

            The backup job failed, see the attached output.

            --===============4455667788990011223==
            Content-Type: text/plain; charset="us-ascii"
            MIME-Version: 1.0
            Content-Transfer-Encoding: 7bit
            Content-Disposition: attachment

            rsync: connection unexpectedly closed (0 bytes received so far) [Receiver]
            rsync error: error in rsync protocol data stream (code 12) at io.c(231)

            --===============4455667788990011223==
            Content-Type: application/pdf
            MIME-Version: 1.0
            Content-Transfer-Encoding: base64

            $pdf
            --===============4455667788990011223==--
            """, pdf=b64(PDF)),
        "A script's mail (Python email package): an unnamed text part with disposition attachment and an "
        "unnamed PDF; both are attachments with a default name that has the right extension",
        "created", from_email="backup@customer.example", text_contains=["The backup job failed"],
        new_text_excludes=["rsync error"],
        attachments=[{"filename": "attachment.txt", "content_type": "text/plain", "inline": False},
                     {"filename": "attachment.pdf", "content_type": "application/pdf", "inline": False}],
    ),
    fixture(
        "octet-stream-name-in-content-type",
        t("""
            Date: Tue, 24 Nov 2026 10:34:55 +0100
            From: Alice Customer <alice@customer.example>
            Subject: Config file for the new printer
            To: support@acme.example
            Message-ID: <OF8A7B6C5D.4E3F2A1B-ONC1258B2E.0033F5A1-C1258B2E.0033F5B2@customer.example>
            X-Mailer: HCL Notes Release 12.0.2 November 03, 2022
            MIME-Version: 1.0
            Content-type: multipart/mixed;
            \tBoundary="0__=4EBB0F81DFE6A1C08f9e8a93df938690918c4EBB0F81DFE6A1C0"

            --0__=4EBB0F81DFE6A1C08f9e8a93df938690918c4EBB0F81DFE6A1C0
            Content-type: text/plain; charset=US-ASCII

            Here is the configuration exported from the old printer.

            --0__=4EBB0F81DFE6A1C08f9e8a93df938690918c4EBB0F81DFE6A1C0
            Content-type: application/octet-stream;
            \tname="printer-config.xml"
            Content-transfer-encoding: base64

            $xml
            --0__=4EBB0F81DFE6A1C08f9e8a93df938690918c4EBB0F81DFE6A1C0--
            """, xml=b64('<?xml version="1.0"?>\n<printer model="MFC-9000"><tray id="3" size="A4"/></printer>\n')),
        "HCL (Lotus) Notes: an application/octet-stream attachment named only by Content-Type name= (no "
        "Content-Disposition); the name is used, the type kept as sent",
        "created", text_contains=["configuration exported from the old printer"],
        attachments=[{"filename": "printer-config.xml", "content_type": "application/octet-stream",
                      "inline": False}],
    ),
]


def _nested(levels: int) -> str:
    """``levels`` multiparts, each the only child of the last: gateways that each wrap the message once more."""
    kinds = ("mixed", "related", "alternative")
    opening, closing = [], []
    for depth in range(levels):
        boundary = f"=_level{depth + 1:02d}_c7a3e9b1"
        opening.append(f"Content-Type: multipart/{kinds[depth % 3]}; boundary=\"{boundary}\"\n\n--{boundary}\n")
        closing.insert(0, f"\n--{boundary}--\n")
    leaf = ("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            "Ten wrappers deep, the toner order for building C still arrives.\n")
    return "".join(opening) + leaf + "".join(closing)


FIXTURES.append(fixture(
    "nested-ten-levels",
    f"From: Alice Customer <{ALICE}>\nTo: {ACME}\nSubject: Toner order for building C\n"
    "Date: Tue, 24 Nov 2026 10:40:00 +0100\nMessage-ID: <nested-10.2611241040@relay.customer.example>\n"
    "X-Mailer: Customer Example mail relay 2.4\nMIME-Version: 1.0\n" + _nested(10),
    "Ten multiparts nested inside each other (mixed, related, alternative, signed...), as gateways and "
    "relays that each wrap the message produce it: legal, well under the depth limit, the text is found",
    "created", subject="Toner order for building C", text_contains=["Ten wrappers deep, the toner order"],
    attachments=[],
))
