"""The parse wrapper on arbitrary bytes: a ParsedMail or a ParseFailure, never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk.channels.email.mime.parse import parse_safely
from helpdesk.channels.email.mime.parsed import ParsedMail, ParseFailure

CORPUS = Path(__file__).parent / "mail_corpus" / "messages"
SEED = (b"From: =?utf-8?q?A=C3=A9?= <a@x.example>\r\nTo: s@acme.example\r\nSubject: =?ks_c_5601-1987?B?x9E=?=\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-7\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8=\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
        b"Subject: inner\r\n\r\nx\r\n--b--\r\n")
HEADER_NAMES = st.sampled_from([b"From", b"To", b"Subject", b"Content-Type", b"Content-Transfer-Encoding",
                                b"Message-ID", b"References", b"In-Reply-To", b"Date", b"Content-Disposition",
                                b"Return-Path", b"Auto-Submitted", b"MIME-Version"])


def check(raw: bytes) -> None:
    result = parse_safely(raw)
    assert isinstance(result, ParsedMail | ParseFailure)
    if isinstance(result, ParsedMail):
        # what the database will be given is clean text
        for text in (result.subject, result.text, result.new_text, result.from_email, result.html or ""):
            assert "\x00" not in text
            text.encode("utf-8")
    else:
        assert result.reason


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(raw):
    check(raw)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(HEADER_NAMES, st.binary(max_size=200)), max_size=12), st.binary(max_size=2048))
def test_header_shaped_garbage(headers, body):
    raw = b"".join(name + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body
    check(raw)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_real_messages(data):
    samples = sorted(CORPUS.rglob("*.eml"))[:60] if CORPUS.exists() else []
    base = data.draw(st.sampled_from(samples)).read_bytes() if samples else SEED
    position = data.draw(st.integers(0, max(0, len(base) - 1)))
    mutation = data.draw(st.sampled_from(["flip", "truncate", "insert", "duplicate"]))
    if mutation == "flip":
        raw = base[:position] + bytes([data.draw(st.integers(0, 255))]) + base[position + 1:]
    elif mutation == "truncate":
        raw = base[:position]
    elif mutation == "insert":
        raw = base[:position] + data.draw(st.binary(min_size=1, max_size=64)) + base[position:]
    else:
        raw = base[:position] + base[position:position + 500] * 3 + base[position + 500:]
    check(raw)


def test_deep_nesting_is_a_reason_not_a_crash():
    depth = 2000
    raw = b"From: a@x.example\r\n" + b"".join(
        f'Content-Type: multipart/mixed; boundary="b{n}"\r\n\r\n--b{n}\r\n'.encode() for n in range(depth))
    result = parse_safely(raw + b"Content-Type: text/plain\r\n\r\nhi\r\n")
    assert isinstance(result, ParseFailure) and "nesting" in result.reason
