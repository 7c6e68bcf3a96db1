"""Mailing-list and bulk mail: Mailman 2 and 3 posts and digests, Google Groups,
a Mailchimp newsletter, a PHPMailer marketing blast, Discourse and GitHub
notifications. A helpdesk subscribed to (or copied on) such mail files it as a
ticket flagged automatic, so nobody on the list gets our acknowledgement; a list
post that answers our reply lands on that ticket. A list that rewrote From to its
own address (DMARC mitigation, "Alice via Printers") is not the author: the
person is in X-Original-From or Reply-To, and a reply must not go to the list."""

from kit import ACME, ALICE, ANCHOR_1, OUT_ACME, fixture, qp, word_q


def into_acme(helo: str, ip: str, queue_id: str, date: str) -> str:
    return (f"Received: from {helo} ({helo} [{ip}])\n\tby mx.acme.example (Postfix) with ESMTPS id {queue_id}\n"
            f"\tfor <{ACME}>; {date}")


LISTS = "lists.customer.example"
BOUNCES = f"printers-bounces+support=acme.example@{LISTS}"

MAILMAN2_LIST_HEADERS = f"""\
X-BeenThere: printers@{LISTS}
X-Mailman-Version: 2.1.39
Precedence: list
List-Id: Printer users at Customer <printers.{LISTS}>
List-Unsubscribe: <https://{LISTS}/mailman/options/printers>,
 <mailto:printers-request@{LISTS}?subject=unsubscribe>
List-Archive: <https://{LISTS}/pipermail/printers/>
List-Post: <mailto:printers@{LISTS}>
List-Help: <mailto:printers-request@{LISTS}?subject=help>
List-Subscribe: <https://{LISTS}/mailman/listinfo/printers>,
 <mailto:printers-request@{LISTS}?subject=subscribe>
Errors-To: {BOUNCES}
Sender: "printers" <{BOUNCES}>"""

MAILMAN2_FOOTER = f"""\
_______________________________________________
printers mailing list
printers@{LISTS}
https://{LISTS}/mailman/listinfo/printers
"""

MAILMAN2_POST = f"""\
Return-Path: <{BOUNCES}>
{into_acme(LISTS, "198.51.100.50", "4Hr0nB2cD4z9sW6", "Tue, 24 Nov 2026 09:06:12 +0000 (UTC)")}
Received: from lists.customer.example (localhost [127.0.0.1])
\tby lists.customer.example (Postfix) with ESMTP id 7E2C41A0B3
\tfor <{ACME}>; Tue, 24 Nov 2026 10:06:11 +0100 (CET)
Received: from smtp.customer.example (smtp.customer.example [198.51.100.27])
\tby lists.customer.example (Postfix) with ESMTPS id 5C1B30F9A2
\tfor <printers@{LISTS}>; Tue, 24 Nov 2026 10:06:09 +0100 (CET)
Message-ID: <0c3e5a7b-9d1f-4e2a-8b6c-7d0e1f2a3b4c@customer.example>
Date: Tue, 24 Nov 2026 10:06:07 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: en-GB
To: printers@{LISTS}
From: Alice Customer <{ALICE}>
Subject: [printers] Firmware 2.1 jams the duplex tray
{MAILMAN2_LIST_HEADERS}
Content-Type: text/plain; charset="us-ascii"; Format="flowed"
Content-Transfer-Encoding: 7bit

Since the 2.1 firmware update the duplex tray jams on every second
sheet. Has anyone found a workaround?

Alice

{MAILMAN2_FOOTER}"""

MAILMAN2_REPLY = f"""\
Return-Path: <{BOUNCES}>
{into_acme(LISTS, "198.51.100.50", "4Hr0pC3dE5z9sW7", "Tue, 24 Nov 2026 09:08:40 +0000 (UTC)")}
Received: from smtp.customer.example (smtp.customer.example [198.51.100.27])
\tby lists.customer.example (Postfix) with ESMTPS id 6D2C41B0C4
\tfor <printers@{LISTS}>; Tue, 24 Nov 2026 10:08:37 +0100 (CET)
Message-ID: <5e7a9c1b-3d5f-4a6b-8c0d-2e4f6a8b0c1d@customer.example>
Date: Tue, 24 Nov 2026 10:08:35 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: [printers] Re: [#ACME-1] Printer on fire
Content-Language: en-GB
To: Acme Support <{ACME}>
Cc: printers@{LISTS}
References: {ANCHOR_1} {OUT_ACME}
From: Alice Customer <{ALICE}>
In-Reply-To: {OUT_ACME}
{MAILMAN2_LIST_HEADERS}
Content-Type: text/plain; charset="us-ascii"; Format="flowed"
Content-Transfer-Encoding: 7bit

Copying the printers list: turning it off did not help, the tray
still smokes.

Alice

On 23/11/2026 17:02, Acme Support wrote:
> Have you tried turning it off?

{MAILMAN2_FOOTER}"""

# --- Mailman 3 with DMARC mitigation: From rewritten to the list, the author in Reply-To --------------

MAILMAN3_BODY = qp("Does the toner recall from last week also cover the TX-40? Ours say “lot 2026-41”.\n")

MAILMAN3_MUNGED = f"""\
Return-Path: <{BOUNCES}>
{into_acme(LISTS, "198.51.100.50", "4Hr0qD4eF6z9sW8", "Tue, 24 Nov 2026 09:11:03 +0000 (UTC)")}
Received: from mailman3.customer.example (localhost [IPv6:::1])
\tby lists.customer.example (Postfix) with ESMTP id 8F3D52C1D5;
\tTue, 24 Nov 2026 10:11:02 +0100 (CET)
Received: from mail.partner.example (mail.partner.example [203.0.113.77])
\tby lists.customer.example (Postfix) with ESMTPS id 2A1B40E8F1
\tfor <printers@{LISTS}>; Tue, 24 Nov 2026 10:10:58 +0100 (CET)
Date: Tue, 24 Nov 2026 10:10:55 +0100
Message-ID: <CAPartnerMailT0n3rR3callQ7w2x9y8z@mail.partner.example>
Subject: [Printers] Is the toner recall about the TX-40 too?
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable
Message-ID-Hash: 5XQ2B7ZLFAQOW3MGGFMPOXNKE4VWHN7T
X-Message-ID-Hash: 5XQ2B7ZLFAQOW3MGGFMPOXNKE4VWHN7T
X-MailFrom: greta@partner.example
X-Mailman-Rule-Misses: dmarc-mitigation; no-senders; approved; emergency; loop; banned-address;
 member-moderation; nonmember-moderation; administrivia; implicit-dest; max-recipients; max-size;
 news-moderation; no-subject; digests; suspicious-header
X-Mailman-Version: 3.3.9
Precedence: list
List-Id: Printer users at Customer <printers.{LISTS}>
Archived-At: <https://{LISTS}/archives/list/printers@{LISTS}/message/5XQ2B7ZLFAQOW3MGGFMPOXNKE4VWHN7T/>
List-Archive: <https://{LISTS}/archives/list/printers@{LISTS}/>
List-Help: <mailto:printers-request@{LISTS}?subject=help>
List-Owner: <mailto:printers-owner@{LISTS}>
List-Post: <mailto:printers@{LISTS}>
List-Subscribe: <mailto:printers-join@{LISTS}>
List-Unsubscribe: <mailto:printers-leave@{LISTS}>
From: =?utf-8?q?Greta_M=C3=BCller_via_Printers?= <printers@{LISTS}>
Reply-To: =?utf-8?q?Greta_M=C3=BCller?= <greta@partner.example>

{MAILMAN3_BODY}
_______________________________________________
Printers mailing list -- printers@{LISTS}
To unsubscribe send an email to printers-leave@{LISTS}
"""

# --- Google Groups, DMARC rewrite: "'Alice' via Printer users", X-Original-From ----------------------

GG = "googlegroups.example"
GG_BOUNDARY = "----=_Part_482913_1457892631.1795511400123"

GOOGLE_GROUPS = f"""\
Return-Path: <printer-users+bncBAABBXH4R3ZQMGQE2JQFXSA@{GG}>
{into_acme("mail-sor-f56.google.example", "198.51.100.56", "4Hr0rE5fG7z9sW9", "Tue, 24 Nov 2026 09:14:02 +0000 (UTC)")}
ARC-Seal: i=2; a=rsa-sha256; t=1795511642; cv=pass;
        d=google.example; s=arc-20240605;
        b=VGhpcyBpcyBub3QgYSByZWFsIEFSQyBzZWFsLCBqdXN0IGl0cyBzaGFwZQ==
X-BeenThere: printer-users@{GG}
Received: by 2002:a05:6870:4d1a:b0:29e:3f2a:1b4c with SMTP id ls-20020a0568704d1a00b0029e3f2a1b4cls123456oab.2;
 Tue, 24 Nov 2026 01:14:01 -0800 (PST)
Date: Tue, 24 Nov 2026 01:13:58 -0800 (PST)
From: "'Alice Customer' via Printer users" <printer-users@{GG}>
To: Printer users <printer-users@{GG}>
Message-Id: <7f3b1c9e-2d4a-4e6b-9a8c-0d1e2f3a4b5c@customer.example>
Subject: Paper jams after the 2.1 firmware
MIME-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="{GG_BOUNDARY}"
X-Original-Sender: {ALICE}
X-Original-Authentication-Results: mx.google.example;       dkim=pass header.i=@customer.example
 header.s=s1 header.b=Ab12Cd34;       spf=pass (google.example: domain of {ALICE} designates
 198.51.100.27 as permitted sender) smtp.mailfrom={ALICE};       dmarc=pass (p=REJECT sp=REJECT
 dis=NONE) header.from=customer.example
X-Original-From: Alice Customer <{ALICE}>
Reply-To: Alice Customer <{ALICE}>
Precedence: list
Mailing-list: list printer-users@{GG}; contact printer-users+owners@{GG}
List-ID: <printer-users.{GG}>
X-Spam-Checked-In-Group: {ALICE}
X-Google-Group-Id: 861397248512
List-Post: <https://groups.google.example/group/printer-users/post>, <mailto:printer-users@{GG}>
List-Help: <https://groups.google.example/support/>, <mailto:printer-users+help@{GG}>
List-Archive: <https://groups.google.example/group/printer-users
List-Subscribe: <https://groups.google.example/group/printer-users/subscribe>,
 <mailto:printer-users+subscribe@{GG}>
List-Unsubscribe: <mailto:googlegroups-manage+861397248512+unsubscribe@{GG}>,
 <https://groups.google.example/group/printer-users/subscribe>

------=_Part_482913_1457892631.1795511400123
Content-Type: text/plain; charset="UTF-8"

The duplex tray on our TX-40s jams after the 2.1 firmware. Anyone else?

--\x20
You received this message because you are subscribed to the Google Groups "Printer users" group.
To unsubscribe from this group and stop receiving emails from it, send an email to printer-users+unsubscribe@{GG}.
To view this discussion visit https://groups.google.example/d/msgid/printer-users/7f3b1c9e-2d4a-4e6b-9a8c-0d1e2f3a4b5c%40customer.example.

------=_Part_482913_1457892631.1795511400123
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">The duplex tray on our TX-40s jams after the 2.1 firmware. Anyone else?</div>

<p></p>

-- <br />
You received this message because you are subscribed to the Google Groups &quot;Printer users&quot; group.<br />

------=_Part_482913_1457892631.1795511400123--
"""

# --- Mailchimp newsletter: Feedback-ID, one-click List-Unsubscribe, emoji subject -------------------

MC_BOUNDARY = "_----------=_MCPart_1795500012"
MC_ID = "2c9e1f0a4b7d8e3c6a5f1b2d"

NEWSLETTER_TEXT = """\
** Black Friday at Customer Shop
------------------------------------------------------------

Toner, drums and paper: 30% off everything until Monday.

Shop now (https://customer-shop.example/black-friday)

============================================================
You are receiving this email because you opted in via our website.

Unsubscribe https://customer-shop.us21.list-manage.example/unsubscribe?u=2c9e1f0a4b7d8e3c6a5f1b2d&id=d2c9e1f0a4
"""

NEWSLETTER_HTML = """\
<!doctype html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
<meta charset="UTF-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Our Black Friday deals are here</title>
</head>
<body>
<center>
<table align="center" border="0" cellpadding="0" cellspacing="0" height="100%" width="100%" id="bodyTable">
<tr><td align="center" valign="top" id="bodyCell">
<h1>Black Friday at Customer Shop</h1>
<p>Toner, drums and paper: 30% off everything until Monday.</p>
<a href="https://customer-shop.us21.list-manage.example/track/click?u=2c9e1f0a4b7d8e3c6a5f1b2d&amp;id=7a8b9c0d1e">Shop now</a>
</td></tr>
</table>
<img src="https://customer-shop.us21.list-manage.example/track/open.php?u=2c9e1f0a4b7d8e3c6a5f1b2d&id=d2c9e1f0a4&e=6b1a0c9d8e" height="1" width="1" alt="">
</center>
</body>
</html>
"""

NEWSLETTER = f"""\
Return-Path: <bounce-mc.us21_123456789.4567890-support=acme.example@mail123.suw11.mcsv.example>
{into_acme("mail123.suw11.mcsv.example", "198.51.100.123", "4Hr0sF6gH8z9sWa", "Tue, 24 Nov 2026 07:00:14 +0000 (UTC)")}
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=mcsv.example;
 s=k2; t=1795500012; bh=mV2k9Q0pR7sT1uW4yZ6aC8eG0iK3nL5oP7qS9uX1zB0=;
 h=Subject:From:Reply-To:To:Date:Message-ID:X-MC-User:Feedback-ID:List-ID:
  List-Unsubscribe:List-Unsubscribe-Post:Content-Type:MIME-Version;
 b=U2hhcGUgb2YgYSBNYWlsY2hpbXAgREtJTSBzaWduYXR1cmUsIG5vdCBhIHJlYWwgb25l
Subject: {word_q("Our Black Friday deals are here 🎁")}
From: =?utf-8?Q?Customer=20Shop?= <news@customer-shop.example>
Reply-To: =?utf-8?Q?Customer=20Shop?= <news@customer-shop.example>
To: <{ACME}>
Date: Tue, 24 Nov 2026 07:00:12 +0000
Message-ID: <{MC_ID}.4567890.1795500012345@mail123.suw11.mcsv.example>
X-Mailer: Mailchimp Mailer - **CIDd2c9e1f0a4b7d8e3c6a5f**
X-Campaign: mailchimp{MC_ID}.d2c9e1f0a4
X-campaignid: mailchimp{MC_ID}.d2c9e1f0a4
X-Report-Abuse: Please report abuse for this campaign here:
 https://mailchimp.example/contact/abuse/?u={MC_ID}&id=d2c9e1f0a4&e=6b1a0c9d8e
X-MC-User: {MC_ID}
Feedback-ID: 123456789:123456789.4567890:us21:mc
List-ID: {MC_ID}mc list <{MC_ID}.4567890.list-id.mcsv.example>
X-Accounttype: pd
List-Unsubscribe-Post: List-Unsubscribe=One-Click
List-Unsubscribe: <https://customer-shop.us21.list-manage.example/unsubscribe?u={MC_ID}&id=d2c9e1f0a4&e=6b1a0c9d8e&c=7a8b9c0d1e>,
 <mailto:unsubscribe-mc.us21_{MC_ID}.d2c9e1f0a4-6b1a0c9d8e@unsubscribe.mailchimpapp.example?subject=unsubscribe>
Content-Type: multipart/alternative; boundary="{MC_BOUNDARY}"
MIME-Version: 1.0

This is a multi-part message in MIME format

--{MC_BOUNDARY}
Content-Type: text/plain; charset="utf-8"; format="fixed"
Content-Transfer-Encoding: quoted-printable

{qp(NEWSLETTER_TEXT)}
--{MC_BOUNDARY}
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(NEWSLETTER_HTML)}
--{MC_BOUNDARY}--
"""

# --- A marketing blast from PHPMailer: Precedence: bulk is its only marker ---------------------------

PHP_ID = "Xq3k9VbN2mL0pR7sT1uW4yZ6aC8eG0iKjH5d"

MARKETING_BLAST = f"""\
Return-Path: <marketing@printsupplies.example>
{into_acme("web03.printsupplies.example", "203.0.113.88", "4Hr0tG7hJ9z9sWb", "Tue, 24 Nov 2026 09:30:02 +0000 (UTC)")}
Date: Tue, 24 Nov 2026 10:30:00 +0100
To: {ACME}
From: Print Supplies Direct <marketing@printsupplies.example>
Subject: 40% off toner this week only
Message-ID: <{PHP_ID}@printsupplies.example>
X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)
Precedence: bulk
MIME-Version: 1.0
Content-Type: multipart/alternative;
 boundary="b1=_{PHP_ID}"
Content-Transfer-Encoding: 8bit

This is a multi-part message in MIME format.

--b1=_{PHP_ID}
Content-Type: text/plain; charset=us-ascii

Dear customer, this week only: 40% off all toner cartridges. Order at printsupplies.example.

--b1=_{PHP_ID}
Content-Type: text/html; charset=us-ascii

<p>Dear customer, this week only: <b>40% off</b> all toner cartridges.</p>

--b1=_{PHP_ID}--
"""

# --- Discourse notification (ActionMailer): Auto-Submitted, List-ID per category, Precedence: list ---

DC_BOUNDARY = "--==_mimepart_6760a1b2c3d4e_1a2b3c4d5e6f1234"

DISCOURSE = f"""\
Return-Path: <forum+verp-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d@forum.customer.example>
{into_acme("forum.customer.example", "198.51.100.140", "4Hr0vH8iK0z9sWc", "Tue, 24 Nov 2026 09:40:05 +0000 (UTC)")}
Date: Tue, 24 Nov 2026 09:40:03 +0000
From: Customer Community <noreply@forum.customer.example>
Reply-To: Customer Community <noreply@forum.customer.example>
To: {ACME}
Message-ID: <topic/4821/19034.3f2a9b7e1c5d8a04@forum.customer.example>
In-Reply-To: <topic/4821@forum.customer.example>
References: <topic/4821@forum.customer.example>
Subject: [Customer Community] [Printers] Duplex tray jams after firmware 2.1
Mime-Version: 1.0
Content-Type: multipart/alternative;
 boundary="{DC_BOUNDARY}";
 charset=UTF-8
Content-Transfer-Encoding: 7bit
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
List-Unsubscribe: <https://forum.customer.example/email/unsubscribe/0a1b2c3d4e5f60718293a4b5c6d7e8f9>
List-ID: Customer Community | Printers <printers.forum.customer.example>
List-Archive: https://forum.customer.example/t/duplex-tray-jams-after-firmware-2-1/4821
Precedence: list
X-Discourse-Post-Id: 19034
X-Discourse-Topic-Id: 4821


--{DC_BOUNDARY}
Content-Type: text/plain;
 charset=UTF-8
Content-Transfer-Encoding: 7bit

frank_ops replied to a topic you are watching:

> Same here on three TX-40s. Rolling back to 2.0.9 fixed it for us.

---
[Visit Topic](https://forum.customer.example/t/duplex-tray-jams-after-firmware-2-1/4821/7) or reply to this email to respond.

To unsubscribe from these emails, [click here](https://forum.customer.example/email/unsubscribe/0a1b2c3d4e5f60718293a4b5c6d7e8f9).

--{DC_BOUNDARY}
Content-Type: text/html;
 charset=UTF-8
Content-Transfer-Encoding: 7bit

<div><p>Same here on three TX-40s. Rolling back to 2.0.9 fixed it for us.</p>
<p><a href="https://forum.customer.example/t/duplex-tray-jams-after-firmware-2-1/4821/7">Visit Topic</a></p></div>

--{DC_BOUNDARY}--
"""

# --- GitHub notification: X-GitHub-Reason, List-ID, reply+ addresses, "Message ID:" in the body -----

GH_BOUNDARY = "--==_mimepart_6742f0ac8e1b3_5b3c1a8c4d27e1"
GH_TOKEN = "AAB7XQ2K4M3NZ5QF6G7H8I2PZXJLFEVBNHHJ2ZK3QY"

GITHUB = f"""\
Return-Path: <noreply@github.example>
{into_acme("out-21.smtp.github.example", "198.51.100.221", "4Hr0wJ9kL1z9sWd", "Tue, 24 Nov 2026 09:12:46 +0000 (UTC)")}
Date: Tue, 24 Nov 2026 01:12:44 -0800
From: Octo Dev <notifications@github.example>
Reply-To: acme/printer-driver <reply+{GH_TOKEN}@reply.github.example>
To: acme/printer-driver <printer-driver@noreply.github.example>
Cc: Mention <mention@noreply.github.example>
Message-ID: <acme/printer-driver/issues/482/2412345678@github.example>
In-Reply-To: <acme/printer-driver/issues/482@github.example>
References: <acme/printer-driver/issues/482@github.example>
Subject: Re: [acme/printer-driver] Duplex tray catches fire on 2.1 (Issue #482)
Mime-Version: 1.0
Content-Type: multipart/alternative;
 boundary="{GH_BOUNDARY}";
 charset=UTF-8
Content-Transfer-Encoding: 7bit
Precedence: list
X-GitHub-Sender: octo-dev
X-GitHub-Recipient: acme-support
X-GitHub-Reason: mention
List-ID: acme/printer-driver <printer-driver.acme.github.example>
List-Archive: https://github.example/acme/printer-driver
List-Post: <mailto:reply+{GH_TOKEN}@reply.github.example>
List-Unsubscribe: <mailto:unsub+{GH_TOKEN}@reply.github.example>,
 <https://github.example/notifications/unsubscribe/{GH_TOKEN}>
X-Auto-Response-Suppress: All
X-GitHub-Recipient-Address: {ACME}


--{GH_BOUNDARY}
Content-Type: text/plain;
 charset=UTF-8
Content-Transfer-Encoding: 7bit

@acme-support could you check whether the customer tickets about the duplex fires all run 2.1?

--\x20
Reply to this email directly, view it on GitHub:
https://github.example/acme/printer-driver/issues/482#issuecomment-2412345678
You are receiving this because you were mentioned.

Message ID: <acme/printer-driver/issues/482/2412345678@github.example>
--{GH_BOUNDARY}
Content-Type: text/html;
 charset=UTF-8
Content-Transfer-Encoding: 7bit

<p></p>
<p><a class="user-mention notranslate" href="https://github.example/acme-support">@acme-support</a> could you check whether the customer tickets about the duplex fires all run 2.1?</p>

--{GH_BOUNDARY}--
"""

# --- A Mailman 2 MIME digest: multipart/digest of message/rfc822 parts -------------------------------

DIGEST_OUTER = "===============0412758195622537201=="
DIGEST_INNER = "===============7389105552061942213=="

MAILMAN2_DIGEST = f"""\
Return-Path: <{BOUNCES}>
{into_acme(LISTS, "198.51.100.50", "4Hr0xK0lM2z9sWe", "Tue, 24 Nov 2026 11:00:04 +0000 (UTC)")}
From: printers-request@{LISTS}
Subject: printers Digest, Vol 42, Issue 7
To: printers@{LISTS}
Reply-To: printers@{LISTS}
Date: Tue, 24 Nov 2026 12:00:02 +0100
Message-ID: <mailman.1795.1795518002.1234.printers@{LISTS}>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="{DIGEST_OUTER}"
{MAILMAN2_LIST_HEADERS}

--{DIGEST_OUTER}
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0
Content-Transfer-Encoding: 7bit
Content-Description: printers Digest, Vol 42, Issue 7

Send printers mailing list submissions to
\tprinters@{LISTS}

When replying, please edit your Subject line so it is more specific
than "Re: Contents of printers digest..."

Today's Topics:

   1. [printers] Firmware 2.1 jams the duplex tray (Alice Customer)
   2. Re: [printers] Firmware 2.1 jams the duplex tray (Frank Ops)


--{DIGEST_OUTER}
Content-Type: multipart/digest; boundary="{DIGEST_INNER}"
MIME-Version: 1.0

--{DIGEST_INNER}
Content-Type: message/rfc822
MIME-Version: 1.0

Message-ID: <0c3e5a7b-9d1f-4e2a-8b6c-7d0e1f2a3b4c@customer.example>
Date: Tue, 24 Nov 2026 10:06:07 +0100
From: Alice Customer <{ALICE}>
To: printers@{LISTS}
Subject: [printers] Firmware 2.1 jams the duplex tray
Content-Type: text/plain; charset="us-ascii"; Format="flowed"
Content-Transfer-Encoding: 7bit

Since the 2.1 firmware update the duplex tray jams on every second
sheet. Has anyone found a workaround?

--{DIGEST_INNER}
Content-Type: message/rfc822
MIME-Version: 1.0

Message-ID: <202611241045.5AO9jQ3x012345@lab.customer.example>
Date: Tue, 24 Nov 2026 10:45:12 +0100
From: frank@lab.customer.example (Frank Ops)
To: printers@{LISTS}
Subject: Re: [printers] Firmware 2.1 jams the duplex tray
In-Reply-To: <0c3e5a7b-9d1f-4e2a-8b6c-7d0e1f2a3b4c@customer.example>
Content-Type: text/plain; charset="us-ascii"

Roll back to 2.0.9; the fix is promised for 2.2.

--{DIGEST_INNER}--

--{DIGEST_OUTER}
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0
Content-Transfer-Encoding: 7bit
Content-Disposition: inline

{MAILMAN2_FOOTER}
--{DIGEST_OUTER}
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0
Content-Transfer-Encoding: 7bit
Content-Disposition: inline

------------------------------

End of printers Digest, Vol 42, Issue 7
***************************************

--{DIGEST_OUTER}--
"""

# --- A person asking to be unsubscribed: no list headers, a human message --------------------------

UNSUBSCRIBE_REQUEST = f"""\
Return-Path: <h.nakamura@customer.example>
{into_acme("smtp.customer.example", "198.51.100.27", "4Hr0yL1mN3z9sWf", "Tue, 24 Nov 2026 09:50:31 +0000 (UTC)")}
From: Hiro Nakamura <h.nakamura@customer.example>
Content-Type: text/plain;
\tcharset=us-ascii
Content-Transfer-Encoding: 7bit
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
Subject: Please unsubscribe me from the maintenance newsletter
Message-Id: <6B2D9F1E-4C7A-4E3B-9A5D-8F0C1E2D3B4A@customer.example>
Date: Tue, 24 Nov 2026 10:50:29 +0100
To: {ACME}
X-Mailer: Apple Mail (2.3826.300.87.4.3)

Hello,

I keep getting your maintenance newsletter at this address. Please unsubscribe me,
the List-Unsubscribe link in it gives an error.

Thanks,
Hiro
"""

FIXTURES = [
    fixture("mailman2-post", MAILMAN2_POST,
            "Mailman 2.1 list post (List-Id, List-Unsubscribe, Precedence: list, '[printers]' prefix, VERP "
            "Sender): a ticket from the author, flagged automatic so the list never gets our acknowledgement",
            "created", auto_reply=True, subject="[printers] Firmware 2.1 jams the duplex tray", from_email=ALICE,
            text_contains=["duplex tray jams on every second", "printers mailing list"]),
    fixture("mailman2-reply-threads", MAILMAN2_REPLY,
            "The list's copy of the customer's answer to our reply (she copied the list): it threads by "
            "In-Reply-To onto ACME-1, still flagged as list mail", "appended", ticket="ACME-1", auto_reply=True,
            from_email=ALICE, new_text_contains=["turning it off did not help"],
            new_text_excludes=["Have you tried turning it off?"]),
    fixture("mailman3-dmarc-munged", MAILMAN3_MUNGED,
            "Mailman 3 DMARC mitigation: From is 'Greta Müller via Printers' <the list>, the author in Reply-To: "
            "the ticket's sender is the author, not the list", "created", auto_reply=True,
            subject="[Printers] Is the toner recall about the TX-40 too?", from_email="greta@partner.example",
            from_name="Greta Müller", text_contains=["Ours say “lot 2026-41”."]),
    fixture("google-groups-dmarc-rewrite", GOOGLE_GROUPS,
            "Google Groups post rewritten for DMARC (\"'Alice Customer' via Printer users\" <group>), author in "
            "X-Original-From, List-Archive missing its '>' as Groups sends it", "created", auto_reply=True,
            subject="Paper jams after the 2.1 firmware", from_email=ALICE, from_name="Alice Customer",
            text_contains=["jams after the 2.1 firmware. Anyone else?"]),
    fixture("mailchimp-newsletter", NEWSLETTER,
            "Mailchimp newsletter (Feedback-ID, List-ID, one-click List-Unsubscribe, UTF-8 Q-encoded emoji "
            "subject)", "created", auto_reply=True, subject="Our Black Friday deals are here 🎁",
            from_email="news@customer-shop.example", from_name="Customer Shop",
            text_contains=["30% off everything until Monday"]),
    fixture("phpmailer-precedence-bulk", MARKETING_BLAST,
            "A marketing blast from PHPMailer with 'Precedence: bulk' and no list headers", "created",
            auto_reply=True, subject="40% off toner this week only", from_email="marketing@printsupplies.example",
            text_contains=["40% off all toner cartridges"]),
    fixture("discourse-notification", DISCOURSE,
            "Discourse 'replied to a topic you are watching' notification (Auto-Submitted: auto-generated, "
            "List-ID per category, threads only within the forum)", "created", auto_reply=True,
            subject="[Customer Community] [Printers] Duplex tray jams after firmware 2.1",
            from_email="noreply@forum.customer.example", text_contains=["Rolling back to 2.0.9 fixed it"]),
    fixture("github-notification", GITHUB,
            "GitHub issue comment notification (X-GitHub-Reason: mention, List-ID, reply+ List-Post, "
            "'Message ID:' line in the body)", "created", auto_reply=True,
            subject="Re: [acme/printer-driver] Duplex tray catches fire on 2.1 (Issue #482)",
            from_email="notifications@github.example", from_name="Octo Dev",
            text_contains=["could you check whether the customer tickets"]),
    fixture("mailman2-mime-digest", MAILMAN2_DIGEST,
            "Mailman 2 MIME digest: table of contents, a multipart/digest of two message/rfc822 posts (kept as "
            ".eml attachments), footer parts", "created", auto_reply=True,
            subject="printers Digest, Vol 42, Issue 7", from_email=f"printers-request@{LISTS}",
            text_contains=["Today's Topics:", "End of printers Digest, Vol 42, Issue 7"],
            attachments=[{"filename": "[printers] Firmware 2.1 jams the duplex tray.eml",
                          "content_type": "message/rfc822"},
                         {"filename": "Re_ [printers] Firmware 2.1 jams the duplex tray.eml",
                          "content_type": "message/rfc822"}]),
    fixture("human-unsubscribe-request", UNSUBSCRIBE_REQUEST,
            "A person asking to be unsubscribed (Apple Mail): talks about lists, carries no list header, human",
            "created", auto_reply=False, subject="Please unsubscribe me from the maintenance newsletter",
            from_email="h.nakamura@customer.example", text_contains=["Please unsubscribe me"]),
]
