"""What parsing a message yields: the parsed mail, its attachments and bounce, or the reason it failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class ParseFailure(Exception):
    """The bytes cannot become a ticket message; ``reason`` goes to the quarantine."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None
    inline: bool = False


@dataclass
class Bounce:
    action: str
    original_message_ids: list[str]
    recipients: list[str] = field(default_factory=list)
    diagnostic: str | None = None


@dataclass
class ParsedMail:
    subject: str
    from_email: str
    from_name: str | None
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    date: datetime | None
    text: str
    new_text: str
    html: str | None
    attachments: list[ParsedAttachment]
    auto_reply: str | None
    bounce: Bounce | None
    null_sender: bool
    headers: dict[str, str]

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, the most specific (the parent) first."""
        seen: dict[str, None] = {}
        for value in [*self.in_reply_to, *reversed(self.references)]:
            seen.setdefault(value, None)
        return list(seen)
