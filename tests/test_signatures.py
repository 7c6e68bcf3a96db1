"""The one verifier every inbound channel uses: Standard Webhooks, Mailgun, basic auth."""

from __future__ import annotations

import pytest

from helpdesk.channels import signatures
from helpdesk.errors import Unauthorized

# The Standard Webhooks reference vector (also reproduced with `openssl dgst -sha256 -mac HMAC`).
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SW_TIMESTAMP = 1614265330
SW_BODY = b'{"test": 2432232314}'
SW_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
# Computed with: echo -n "1700000000abcdef0123456789tokentoken" | openssl dgst -sha256 -hmac "<key>"
MG_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
MG_TIMESTAMP = "1700000000"
MG_TOKEN = "abcdef0123456789tokentoken"
MG_SIGNATURE = "8ededc325b8bbd93412a13b5871b5d25ce6ab648470b3774850894b200cd0cd2"


def headers(signature: str = SW_SIGNATURE, timestamp: int = SW_TIMESTAMP, msg_id: str = SW_ID) -> dict:
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_standard_webhooks_reference_vector():
    assert signatures.standard_webhooks_signature(SW_SECRET, SW_ID, SW_TIMESTAMP, SW_BODY) == SW_SIGNATURE
    assert signatures.verify_standard_webhook([SW_SECRET], headers(), SW_BODY, now=SW_TIMESTAMP + 10) == SW_ID


@pytest.mark.parametrize("case", ["tampered body", "other id", "wrong secret", "stale", "future", "unsigned",
                                  "v2 only", "bad timestamp"])
def test_standard_webhooks_rejections(case):
    body, hdrs, secret, now = SW_BODY, headers(), SW_SECRET, SW_TIMESTAMP
    if case == "tampered body":
        body = b'{"test": 2432232315}'
    elif case == "other id":
        hdrs = headers(msg_id="msg_other")
    elif case == "wrong secret":
        secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
    elif case == "stale":
        now = SW_TIMESTAMP + 301
    elif case == "future":
        now = SW_TIMESTAMP - 301
    elif case == "unsigned":
        hdrs = {"webhook-id": SW_ID, "webhook-timestamp": str(SW_TIMESTAMP)}
    elif case == "v2 only":
        hdrs = headers(signature=SW_SIGNATURE.replace("v1,", "v2,"))
    elif case == "bad timestamp":
        hdrs = {**headers(), "webhook-timestamp": "yesterday"}
    with pytest.raises(Unauthorized):
        signatures.verify_standard_webhook([secret], hdrs, body, now=now)


def test_standard_webhooks_key_rotation_accepts_any_listed_signature():
    old = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    rotated = headers(signature=f"{old} {SW_SIGNATURE}")
    assert signatures.verify_standard_webhook([SW_SECRET], rotated, SW_BODY, now=SW_TIMESTAMP) == SW_ID
    # and our side may hold two secrets while a client moves to the new one
    assert signatures.verify_standard_webhook(["whsec_b2xk", SW_SECRET], headers(), SW_BODY, now=SW_TIMESTAMP)


def test_mailgun_vector_and_rejections():
    assert signatures.mailgun_signature(MG_KEY, MG_TIMESTAMP, MG_TOKEN) == MG_SIGNATURE
    signatures.verify_mailgun(MG_KEY, MG_TIMESTAMP, MG_TOKEN, MG_SIGNATURE, now=int(MG_TIMESTAMP))
    for key, stamp, token, signature, now in [
        (MG_KEY, MG_TIMESTAMP, MG_TOKEN + "x", MG_SIGNATURE, int(MG_TIMESTAMP)),
        ("key-other", MG_TIMESTAMP, MG_TOKEN, MG_SIGNATURE, int(MG_TIMESTAMP)),
        (MG_KEY, MG_TIMESTAMP, MG_TOKEN, MG_SIGNATURE, int(MG_TIMESTAMP) + 3600),
        (MG_KEY, MG_TIMESTAMP, None, MG_SIGNATURE, int(MG_TIMESTAMP)),
        (None, MG_TIMESTAMP, MG_TOKEN, MG_SIGNATURE, int(MG_TIMESTAMP)),
    ]:
        with pytest.raises(Unauthorized):
            signatures.verify_mailgun(key, stamp, token, signature, now=now)


def test_basic_auth():
    digest = signatures.basic_auth_digest("parse", "s3cret")
    signatures.verify_basic_auth(digest, {"username": "parse", "password": "s3cret"})
    for given in (None, {"username": "parse", "password": "wrong"}, {"username": "other", "password": "s3cret"}):
        with pytest.raises(Unauthorized):
            signatures.verify_basic_auth(digest, given)
    with pytest.raises(Unauthorized):
        signatures.verify_basic_auth(None, {"username": "parse", "password": "s3cret"})


# Twilio's documented request-validation example (auth token "12345").
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {"CallSid": ["CA1234567890ABCDE"], "Caller": ["+14158675309"], "Digits": ["1234"],
                 "From": ["+14158675309"], "To": ["+18005551212"]}


def test_twilio_reference_vectors():
    assert signatures.twilio_signature("12345", TWILIO_URL, TWILIO_PARAMS) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    signatures.verify_twilio("12345", TWILIO_URL, TWILIO_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    # A repeated parameter: its distinct values sorted (the official libraries' vector).
    repeated = {"Sid": ["CA123"], "SidAccount": ["AC123"], "Digits": ["5678", "1234", "1234"]}
    assert signatures.twilio_signature("12345", TWILIO_URL, repeated) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


@pytest.mark.parametrize("case", ["tampered param", "wrong url", "wrong token", "missing", "not set up"])
def test_twilio_rejections(case):
    token, url, params, signature = "12345", TWILIO_URL, dict(TWILIO_PARAMS), "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    if case == "tampered param":
        params["Digits"] = ["9999"]
    elif case == "wrong url":
        url = TWILIO_URL + "&extra=1"
    elif case == "wrong token":
        token = "54321"
    elif case == "missing":
        signature = None
    else:
        token = None
    with pytest.raises(Unauthorized):
        signatures.verify_twilio(token, url, params, signature)
