"""Automatic mail: out-of-office replies, other helpdesks' acknowledgements, list
and bulk mail. Flagged as automatic, never acknowledged, and (when they answer a
ticket) recorded without reopening it or counting as the customer's reply."""

from kit import ACME, OUT_ACME, b64, fixture, simple, word_q

FIXTURES = [
    fixture("exchange-oof", simple(
        "I am out of the office until 30 November with limited access to email.\n",
        subject="Automatic reply: Re: [#ACME-1] Printer on fire", message_id="<oof-exchange-1@customer.example>",
        in_reply_to=OUT_ACME, extra="Auto-Submitted: auto-replied\nX-Auto-Response-Suppress: All\n"
                                    "X-MS-Exchange-Inbox-Rules-Loop: alice@customer.example"),
        "Exchange out-of-office answering our reply: on ACME-1, flagged automatic", "appended", ticket="ACME-1",
        auto_reply=True),
    fixture("exchange-oof-new", simple(
        "I am out of the office.\n", subject="Automatic reply: Your invoice",
        message_id="<oof-exchange-2@customer.example>",
        extra="X-Auto-Response-Suppress: All\nThread-Topic: Your invoice"),
        "Exchange OOF to an unknown message: a ticket, tagged auto-reply", "created", auto_reply=True),
    fixture("gmail-vacation", simple(
        "Thanks for your email. I'm on vacation until Monday.\n", subject="Re: Printer on fire",
        message_id="<CAvac1@mail.gmail.example>", in_reply_to=OUT_ACME,
        extra="Auto-Submitted: auto-replied\nPrecedence: bulk"),
        "Gmail vacation responder", "appended", ticket="ACME-1", auto_reply=True),
    fixture("x-autoreply", simple(
        "Autoresponder: your message has been received.\n", subject="Re: Printer on fire",
        message_id="<autoreply-1@customer.example>", extra="X-Autoreply: yes"),
        "X-Autoreply: yes (cPanel/Horde style)", "created", auto_reply=True),
    fixture("x-autorespond", simple(
        "This mailbox is not monitored.\n", subject="This mailbox is not monitored",
        message_id="<autorespond-1@customer.example>", extra="X-Autorespond: This mailbox is not monitored"),
        "X-Autorespond header", "created", auto_reply=True),
    fixture("precedence-junk", simple(
        "We received your message.\n", subject="We got it", message_id="<junk-1@customer.example>",
        extra="Precedence: junk"),
        "Precedence: junk", "created", auto_reply=True),
    fixture("other-helpdesk-ack", simple(
        "Your request (#48213) has been received and is being reviewed by our support staff.\n",
        subject="[Request received] Re: Printer on fire", message_id="<zd-48213@support.customer.example>",
        in_reply_to=OUT_ACME, extra="Auto-Submitted: auto-generated\nX-Mailer: Zendesk Mailer"),
        "The customer's own helpdesk acknowledges our reply (Auto-Submitted: auto-generated)", "appended",
        ticket="ACME-1", auto_reply=True),
    fixture("german-abwesenheit", simple(
        "Ich bin bis zum 30.11. nicht im Büro.\n", charset="utf-8", cte="8bit",
        subject=word_q("Abwesenheitsnotiz: Printer on fire", "iso-8859-1"),
        message_id="<abw-1@kunde.example>"),
        "German out-of-office recognised by its subject alone", "created", auto_reply=True,
        subject="Abwesenheitsnotiz: Printer on fire"),
    fixture("french-reponse-automatique", simple(
        "Je suis absente jusqu'au 30 novembre.\n", subject=word_q("Réponse automatique : Printer on fire"),
        message_id="<ra-1@client.example>"),
        "French 'Réponse automatique' subject", "created", auto_reply=True),
    fixture("mailman-list", simple(
        "Has anyone seen the printer fire issue with firmware 2.1?\n", subject="[printers] Firmware 2.1 fires",
        message_id="<list-1@lists.customer.example>", to="printers@lists.customer.example",
        extra=f"Cc: {ACME}\nList-Id: Printer users <printers.lists.customer.example>\n"
              "List-Unsubscribe: <mailto:printers-leave@lists.customer.example>\nPrecedence: list\n"
              "Sender: printers-bounces@lists.customer.example"),
        "A mailing list post that copied support: a ticket flagged automatic", "created", auto_reply=True,
        from_email="alice@customer.example"),
    fixture("newsletter", simple(
        "Our November newsletter.\n", subject="November news from Customer Example",
        message_id="<news-2026-11@mailer.customer.example>", sender="Customer Example <news@customer.example>",
        extra="List-Unsubscribe: <https://mailer.customer.example/u/abc>, <mailto:u-abc@mailer.customer.example>\n"
              "List-Unsubscribe-Post: List-Unsubscribe=One-Click\nFeedback-ID: 1:newsletter:mailer"),
        "A newsletter sent to the support address", "created", auto_reply=True),
    fixture("auto-submitted-no", simple(
        "A human wrote this, the header says so.\n", subject="Office chair broken",
        message_id="<human-1@customer.example>", extra="Auto-Submitted: no"),
        "Auto-Submitted: no is a human's mail", "created", auto_reply=False),
    fixture("office-in-subject", simple(
        "Our office printer is on fire too.\n", subject="Out of toner in the office",
        message_id="<human-2@customer.example>"),
        "A subject about the office is not an out-of-office", "created", auto_reply=False),
    fixture("base64-autoreply", simple(
        b64("Je suis en congé. — Répondeur\n"), charset="utf-8", cte="base64",
        subject="Absence: Re: Printer on fire", message_id="<abs-1@client.example>", in_reply_to=OUT_ACME,
        extra="X-Auto-Response-Suppress: OOF"),
        "An OOF with a base64 body, answering our message", "appended", ticket="ACME-1", auto_reply=True,
        text_contains=["Je suis en congé."]),
]
