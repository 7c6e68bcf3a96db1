"""Email providers' inbound wire formats, turned into the raw MIME our parser reads.

Mailgun (forwarded routes to a URL ending in ``mime``) and SendGrid Inbound Parse
(raw mode) post multipart/form-data carrying the original message whole, in
``body-mime`` and ``email``. Postmark posts JSON without the original bytes, so
its fields are put back together as a MIME message. The form is read with the
standard MIME parser, not the web framework's, to keep the message's bytes exact.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import compat32
from email.policy import default as default_policy

from helpdesk.channels.email.mime.parsed import ParseFailure
from helpdesk.request_input import load_json

POSTMARK_SOURCE = "postmark"


def form_fields(content_type: str, body: bytes) -> dict[str, bytes]:
    """Fields of a multipart/form-data body as the exact bytes sent (8-bit mail included)."""
    header = Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not boundary:
        return {}
    fields: dict[str, bytes] = {}
    for chunk in body.split(b"--" + str(boundary).encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk.removeprefix(b"\n")
        head, separator, data = chunk.partition(b"\r\n\r\n")
        if not separator:
            head, _, data = chunk.partition(b"\n\n")
        data = data[:-2] if data.endswith(b"\r\n") else data.removesuffix(b"\n")
        part = BytesParser(policy=compat32).parsebytes(head + b"\r\n\r\n", headersonly=True)
        name = part.get_param("name", header="content-disposition")
        if name and str(name) not in fields:
            fields[str(name)] = data
    return fields


def to_mime(source: str, content: bytes) -> bytes:
    """The raw RFC 5322 bytes of a stored inbound record."""
    if source == POSTMARK_SOURCE:
        return postmark_to_mime(content)
    return content


def postmark_to_mime(content: bytes) -> bytes:
    try:
        data = load_json(content)
    except ValueError as exc:
        raise ParseFailure(f"Postmark payload is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ParseFailure("Postmark payload is not a JSON object")
    message = EmailMessage(policy=default_policy.clone(raise_on_defect=False))
    skip = {"content-type", "content-transfer-encoding", "mime-version"}
    for header in data.get("Headers") or []:
        if isinstance(header, dict) and header.get("Name") and str(header["Name"]).lower() not in skip:
            _set(message, str(header["Name"]), str(header.get("Value", "")))
    for name, key in (("From", "From"), ("To", "To"), ("Cc", "Cc"), ("Reply-To", "ReplyTo"),
                      ("Subject", "Subject"), ("Date", "Date")):
        if data.get(key) and name not in message:
            _set(message, name, str(data[key]))
    text, html = data.get("TextBody") or "", data.get("HtmlBody") or ""
    message.set_content(text or " ")
    if html:
        message.add_alternative(html, subtype="html")
    for attachment in data.get("Attachments") or []:
        _attach(message, attachment)
    return message.as_bytes()


def _set(message: EmailMessage, name: str, value: str) -> None:
    # A header the policy cannot carry is dropped, the message is not.
    with contextlib.suppress(ValueError, TypeError):
        message[name] = value.replace("\r", " ").replace("\n", " ")


def _attach(message: EmailMessage, attachment: dict) -> None:
    if not isinstance(attachment, dict):
        return
    try:
        data = base64.b64decode(attachment.get("Content") or "", validate=False)
    except (binascii.Error, ValueError):
        return
    maintype, _, subtype = (attachment.get("ContentType") or "application/octet-stream").partition("/")
    if message.get_content_maintype() != "multipart":
        message.make_mixed()
    message.add_attachment(data, maintype=maintype or "application", subtype=subtype or "octet-stream",
                           filename=str(attachment.get("Name") or "attachment"),
                           cid=f"<{str(attachment['ContentID']).strip('<>')}>" if attachment.get("ContentID") else None)
