import time
from helpdesk.services.signatures import standard_webhooks_signature
from tests import factories
from helpdesk.models import Client, Ticket, Message

RAW = b"From: Alice <alice@customer.example>\r\nTo: support@acme.example\r\nSubject: Help\r\nMessage-ID: <m1@customer.example>\r\n\r\nHello\r\n"

def signed(secret, body, msg_id="msg_1"):
    ts = int(time.time())
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": standard_webhooks_signature(secret, msg_id, ts, body), "Content-Type": "message/rfc822"}

def test_smoke(app, client, db, queue):
    factories.make_region()
    cid, key = factories.make_client("acme", support_email="support@acme.example")
    c = db.session.get(Client, cid)
    r = client.post("/inbound/email/acme", data=RAW, headers=signed(c.inbound_webhook_secret, RAW))
    print(r.get_json())
    assert r.status_code == 201
    r = client.post("/inbound/email/acme", data=RAW, headers=signed(c.inbound_webhook_secret, RAW))
    print(r.get_json())
    print(db.session.query(Message).all())
    queue.run()
