"""Filing a batch of parsed mail of one client: threading onto tickets, contacts, attachments,
bounces, the acknowledgement, and the events, in one transaction (``ingest`` feeds it).

A message answers (within its client only) the ticket of a stored message that its
In-Reply-To/References name, or an earlier message of the same batch, or else the ticket its
subject's ``[#REF-123]`` token names; otherwise it opens a ticket. A merged ticket's mail goes
to the ticket it was merged into; mail to a closed ticket opens a follow-up. Duplicates (the
same Message-ID for this client), mail loops, bounces and senders over their limit file nothing."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import asdict, dataclass

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload

from helpdesk.channels.email import outbound as email_out
from helpdesk.channels.email import threads
from helpdesk.channels.email.mime.parse import parse_safely
from helpdesk.channels.email.mime.parsed import ParsedMail, ParseFailure
from helpdesk.channels.email.providers import to_mime
from helpdesk.channels.models import InboundRaw
from helpdesk.channels.raw import mark
from helpdesk.client.models import Client, SupportAddress
from helpdesk.extensions import db
from helpdesk.platform import counters, events, outbox
from helpdesk.platform.cache import app_cache
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import Attachment, Contact, Message, Ticket
from helpdesk.tickets.storage import attachment_store
from helpdesk.tickets.summaries import ticket_summary
from workers.queues import get_redis

log = logging.getLogger(__name__)
# What filing may (re)process: not yet filed, held back, or failed before.
REPROCESSABLE = ("received", "quarantined", "rate_limited")

SUBJECT_TOKEN = re.compile(r"\[#\s*([A-Za-z0-9_]+)-(\d+)\s*\]")
CID_SRC = re.compile(r"""(src\s*=\s*["'])cid:([^"']+)(["'])""", re.IGNORECASE)


@dataclass
class IngestOptions:
    """Imports of old mail neither acknowledge nor rate-limit; live mail does both."""

    auto_ack: bool = True
    rate_limit: bool = True


@dataclass
class IngestResult:
    outcome: str
    raw_id: int
    ticket_id: int | None = None
    message_id: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def settle(row: InboundRaw, status: str, *, ticket_id: int | None = None, message_id: int | None = None,
            reason: str | None = None, parsed: ParsedMail | None = None) -> IngestResult:
    mark(row, status, reason, ticket_id=ticket_id)
    if parsed is not None:
        row.sender, row.message_id = parsed.from_email, parsed.message_id
    return IngestResult(status, row.id, row.ticket_id, message_id, reason)


class _Item:
    """One message on its way through a batch."""

    def __init__(self, row: InboundRaw) -> None:
        self.row = row
        self.parsed: ParsedMail | None = None
        self.dedup_key = ""
        self.result: IngestResult | None = None
        # Where it goes: an existing ticket, the ticket of an earlier message of this batch, or a new one.
        self.target: Ticket | _Item | None = None
        self.follow_up_of: str | None = None
        self.joins: set[int] = set()  # other tickets of this conversation, merged into its own once filed
        self.linked_items: set[_Item] = set()  # earlier messages of the batch in the same conversation
        self.linked_tickets: dict[int, Ticket] = {}  # stored tickets of the same conversation
        self.duplicate_of: _Item | None = None
        self.contact: Contact | None = None
        self.ticket: Ticket | None = None
        self.message: Message | None = None

    @property
    def opens_ticket(self) -> bool:
        return self.target is None


class Batch:
    """Files messages phase by phase, so a batch costs a handful of statements, not a few per message:
    plan every message (one lookup each for known messages, tickets and contacts), open the new
    tickets, add the messages, record the events."""

    def __init__(self, rows: list[InboundRaw], options: IngestOptions) -> None:
        self.items = [_Item(row) for row in rows]
        self.options = options
        self.client = db.session.get(Client, rows[0].client_id)
        self.scope = TenantScope.for_client(self.client.id)
        self.now = utcnow()

    def file(self) -> list[IngestResult]:
        with db.session.no_autoflush:
            filed = self._plan(self._parse())
            self._open_tickets(filed)
            self._add_messages(filed)
            self._record_events(filed)
        outbox.commit()
        for item in filed:
            if item.joins:
                threads.join(self.scope, item.ticket.id, item.joins)
        return [item.result for item in self.items]

    def _parse(self) -> list[_Item]:
        live = []
        for item in self.items:
            row = item.row
            if row.status not in REPROCESSABLE:
                item.result = IngestResult(row.status, row.id, row.ticket_id, reason=row.error)
                continue
            try:
                parsed = parse_safely(to_mime(row.source, row.content))
            except ParseFailure as failure:
                parsed = failure
            if isinstance(parsed, ParseFailure):
                item.result = settle(row, "quarantined", reason=parsed.reason)
                continue
            item.parsed, item.dedup_key = parsed, _dedup_key(parsed, row)
            live.append(item)
        return live

    def _plan(self, live: list[_Item]) -> list[_Item]:
        if not live:
            return []
        known = _known_messages(self.scope, live)
        named = threads.tickets_naming(self.scope, {value for item in live for value in _unknown_ids(item, known)})
        tickets_by_id = self._tickets(known, live, named)
        contacts = self._contacts(live, tickets_by_id.values())
        seen: dict[str, _Item] = {}
        seen_refs: dict[str, _Item] = {}  # ids named by earlier messages of this batch
        filed = []
        for item in live:
            parsed = item.parsed
            if self._settled_early(item, known, seen):
                continue
            self._link(item, known, seen, seen_refs, named, tickets_by_id)
            item.contact = contacts.get(parsed.from_email) or self._new_contact(parsed, contacts)
            seen[item.dedup_key] = item
            if parsed.message_id:
                seen[parsed.message_id] = item
            for value in parsed.thread_ids[:threads.REFS_PER_MESSAGE]:
                seen_refs.setdefault(value, item)
            filed.append(item)
        _group_conversations(filed)
        if any(item.contact.id is None for item in filed):
            db.session.flush()  # new contacts get their ids
        return filed

    def _settled_early(self, item: _Item, known: dict, seen: dict[str, _Item]) -> bool:
        """Loops, duplicates, bounces and held senders end here; True when the item is done."""
        parsed, row = item.parsed, item.row
        if _is_support_address(parsed.from_email):
            item.result = settle(row, "ignored", reason="sent from one of our support addresses (mail loop)",
                                  parsed=parsed)
            return True
        duplicate = known.get(item.dedup_key) or (known.get(parsed.message_id) if parsed.message_id else None)
        if duplicate is not None:
            item.result = settle(row, "duplicate", ticket_id=duplicate[1], message_id=duplicate[0],
                                  reason="this message was received before", parsed=parsed)
            return True
        earlier = seen.get(item.dedup_key) or (seen.get(parsed.message_id) if parsed.message_id else None)
        if earlier is not None:
            item.duplicate_of = earlier  # settled once the earlier one has its ticket
            return True
        if parsed.bounce is not None:
            item.result = _bounced(item.row, self.scope, parsed)
            return True
        if self.options.rate_limit and _over_sender_limit(self.client.id, parsed.from_email):
            config = current_app.config
            item.result = settle(row, "rate_limited", reason=f"more than {config['MAIL_SENDER_LIMIT']} messages "
                                  f"from {parsed.from_email} in {config['MAIL_SENDER_WINDOW']} s", parsed=parsed)
            return True
        return False

    def _tickets(self, known: dict, live: list[_Item], named: dict[str, set[int]]) -> dict[int, Ticket]:
        """Every ticket the batch may answer, by id, in at most two queries."""
        wanted = {ticket_id for _, ticket_id in known.values()} | {t for ids in named.values() for t in ids}
        # The assignee is not needed to file mail: do not load it (and its relationships).
        query = self.scope.select(Ticket, Ticket.id.in_(wanted)).options(lazyload(Ticket.assignee))
        found = {t.id: t for t in db.session.scalars(query)} if wanted else {}
        numbers = {int(number) for item in live for prefix, number in SUBJECT_TOKEN.findall(item.parsed.subject)
                   if prefix.upper() == self.client.ticket_prefix.upper()}
        if numbers:
            query = self.scope.select(Ticket, Ticket.number.in_(numbers)).options(lazyload(Ticket.assignee))
            for ticket in db.session.scalars(query):
                found[ticket.id] = ticket
        return found

    def _contacts(self, live: list[_Item], known_tickets) -> dict[str, Contact]:
        """The senders' contacts: those of the tickets they answer are loaded already."""
        contacts = {t.contact.email: t.contact for t in known_tickets if t.contact is not None and t.contact.email}
        missing = {item.parsed.from_email for item in live} - set(contacts)
        if missing:
            query = self.scope.select(Contact, Contact.email.in_(missing))
            contacts.update((c.email, c) for c in db.session.scalars(query))
        return contacts

    def _new_contact(self, parsed: ParsedMail, contacts: dict[str, Contact]) -> Contact:
        contact = Contact(client_id=self.client.id, email=parsed.from_email, name=parsed.from_name)
        db.session.add(contact)
        contacts[parsed.from_email] = contact
        return contact

    def _thread(self, item: _Item, known: dict, seen: dict[str, _Item],
                tickets_by_id: dict[int, Ticket]) -> tuple[Ticket | _Item | None, str | None]:
        """What this message answers, within this client only: a stored message's ticket, an
        earlier message of the batch, or the subject token's ticket. A closed ticket gets a follow-up."""
        parsed = item.parsed
        ticket = None
        for value in parsed.thread_ids[:50]:
            if value in known:
                ticket = tickets_by_id.get(known[value][1])
                break
            if value in seen:
                return seen[value], None
        if ticket is None:
            by_number = {t.number: t for t in tickets_by_id.values()}
            for prefix, number in SUBJECT_TOKEN.findall(parsed.subject):
                if prefix.upper() == self.client.ticket_prefix.upper() and int(number) in by_number:
                    ticket = by_number[int(number)]
                    break
        ticket = threads.live_ticket(self.scope, ticket)
        if ticket is not None and ticket.status == "closed":
            return None, ticket.reference
        return ticket, None

    def _link(self, item: _Item, known: dict, seen: dict[str, _Item], seen_refs: dict[str, _Item],
              named: dict[str, set[int]], tickets_by_id: dict[int, Ticket]) -> None:
        """Everything this message is one conversation with: what it answers (forward), stored
        mail that names it or names the same unseen message (backward), and such mail earlier
        in this batch. ``_group_conversations`` then gives each conversation one ticket."""
        target, item.follow_up_of = self._thread(item, known, seen, tickets_by_id)
        if isinstance(target, _Item):
            item.linked_items.add(target)
        elif target is not None:
            item.linked_tickets[target.id] = target
        if item.follow_up_of is not None:
            return  # answers a closed ticket: a follow-up of its own
        ids = _unknown_ids(item, known)
        for ticket_id in sorted({ticket_id for value in ids for ticket_id in named.get(value, ())}):
            ticket = threads.live_ticket(self.scope, tickets_by_id.get(ticket_id))
            if ticket is not None and ticket.status != "closed":
                item.linked_tickets[ticket.id] = ticket
        item.linked_items.update(seen_refs[value] for value in ids if value in seen_refs)

    def _open_tickets(self, filed: list[_Item]) -> None:
        openers = [item for item in filed if item.opens_ticket]
        numbers = counters.next_ticket_numbers(self.client.id, len(openers))
        for item, number in zip(openers, numbers, strict=True):
            parsed = item.parsed
            data = {"subject": parsed.subject, "channel": "email",
                    "tags": ["auto-reply"] if parsed.auto_reply else [],
                    "custom_fields": {"follow_up_of": item.follow_up_of} if item.follow_up_of else {}}
            item.ticket = tickets.build_ticket(self.scope, data, item.contact, number, self.now)
            db.session.add(item.ticket)
        if openers:
            db.session.flush()
        for item in openers:
            tickets.start_ticket(item.ticket)

    def _add_messages(self, filed: list[_Item]) -> None:
        for item in filed:
            if not item.opens_ticket:
                item.ticket = item.target if isinstance(item.target, Ticket) else item.target.ticket
            item.message = tickets.new_message(item.ticket, "inbound", contact_id=item.contact.id, flush=False,
                                               **_message_fields(item.parsed, item.row, item.dedup_key))
            if not item.opens_ticket:
                tickets.apply_customer_message(item.ticket, self.now, counts_as_reply=not item.parsed.auto_reply)
        db.session.flush()
        threads.record(self.client.id, {item.message.id: item.parsed.thread_ids for item in filed
                                        if item.parsed.thread_ids})
        for item in filed:
            _store_attachments(item.message, item.parsed)
            if item.opens_ticket and self.options.auto_ack and self.client.auto_ack_enabled \
                    and not item.parsed.auto_reply:
                queue_auto_ack(item.ticket, item.message)

    def _record_events(self, filed: list[_Item]) -> None:
        entries = []
        for item in filed:
            actor = Actor("contact", item.contact.id)
            if item.opens_ticket:
                entries.append(("ticket.created", actor, {"ticket": ticket_summary(item.ticket)}, item.ticket.id))
            else:
                entries.append(("message.created", actor, tickets.message_event(item.ticket, item.message),
                                item.ticket.id))
        events.record_many(self.client.id, entries)
        for item in filed:
            item.result = settle(item.row, "created" if item.opens_ticket else "appended",
                                  ticket_id=item.ticket.id, message_id=item.message.id, parsed=item.parsed)
        for item in self.items:
            if item.duplicate_of is not None:
                earlier = item.duplicate_of
                item.result = settle(item.row, "duplicate", ticket_id=earlier.ticket.id if earlier.ticket else None,
                                      message_id=earlier.message.id if earlier.message else None,
                                      reason="this message was received before", parsed=item.parsed)
        db.session.flush()


def _known_messages(scope: TenantScope, items: list[_Item]) -> dict[str, tuple[int, int]]:
    """One query for the whole batch: which messages were seen before, and which stored
    messages they answer. Keys are dedup keys and Message-ID headers; values (message id, ticket id)."""
    keys = {item.dedup_key for item in items}
    ids = {value for item in items for value in [item.parsed.message_id, *item.parsed.thread_ids[:50]] if value}
    condition = Message.dedup_key.in_(keys)
    if ids:
        condition = or_(condition, Message.message_id_header.in_(ids))
    rows = db.session.execute(
        scope.select(Message, condition)
        .with_only_columns(Message.id, Message.ticket_id, Message.dedup_key, Message.message_id_header)
        .order_by(Message.id)
    ).all()
    known: dict[str, tuple[int, int]] = {}
    for row in rows:
        if row.dedup_key in keys:
            known.setdefault(row.dedup_key, (row.id, row.ticket_id))
        if row.message_id_header:
            known.setdefault(row.message_id_header, (row.id, row.ticket_id))
    return known


def _group_conversations(filed: list[_Item]) -> None:
    """One ticket per conversation: linked messages form groups (union-find); a group with
    stored tickets files into the oldest, the others joining it once filed; a group without
    opens one ticket, with its first message, that the rest answer."""
    parent = {id(item): item for item in filed}
    position = {id(item): index for index, item in enumerate(filed)}

    def root(item: _Item) -> _Item:
        while parent[id(item)] is not item:
            parent[id(item)] = parent[id(parent[id(item)])]
            item = parent[id(item)]
        return item

    for item in filed:
        for other in item.linked_items:
            if id(other) in parent:
                first, second = sorted((root(item), root(other)), key=lambda found: position[id(found)])
                parent[id(second)] = first
    groups: dict[int, list[_Item]] = {}
    for item in filed:
        groups.setdefault(id(root(item)), []).append(item)
    for members in groups.values():
        tickets = {ticket_id: t for m in members for ticket_id, t in m.linked_tickets.items()}
        if tickets:
            target = tickets[min(tickets)]
            for member in members:
                member.target, member.follow_up_of = target, None
            members[0].joins = set(tickets) - {target.id}
            continue
        opener = members[0]
        opener.target = None
        opener.follow_up_of = next((m.follow_up_of for m in members if m.follow_up_of), None)
        for member in members[1:]:
            member.target, member.follow_up_of = opener, None


def _unknown_ids(item: _Item, known: dict) -> list[str]:
    """This message's own Message-ID and the ids it names that we have not stored: what
    mail filed earlier may name too."""
    parsed = item.parsed
    own = [parsed.message_id] if parsed.message_id else []
    return own + [value for value in parsed.thread_ids[:threads.REFS_PER_MESSAGE] if value not in known]


def _message_fields(parsed: ParsedMail, row: InboundRaw, dedup_key: str) -> dict:
    return {
        "channel": "email", "body_text": parsed.text, "body_html": parsed.html, "new_text": parsed.new_text,
        "subject": parsed.subject, "from_email": parsed.from_email, "from_name": parsed.from_name,
        "message_id_header": parsed.message_id, "in_reply_to": " ".join(parsed.in_reply_to)[:998] or None,
        "references": " ".join(parsed.references) or None, "headers": parsed.headers, "dedup_key": dedup_key,
        "is_auto_reply": parsed.auto_reply is not None, "inbound_raw_id": row.id,
    }


def _dedup_key(parsed: ParsedMail, row: InboundRaw) -> str:
    if parsed.message_id:
        return "mid:" + hashlib.sha256(parsed.message_id.encode()).hexdigest()
    return "raw:" + row.sha256


def _is_support_address(address: str) -> bool:
    addresses = app_cache("support-addresses", 30).get_or_load(
        "all", lambda: frozenset(db.session.scalars(select(SupportAddress.email))))
    return address in addresses


def _bounced(row: InboundRaw, scope: TenantScope, parsed: ParsedMail) -> IngestResult:
    bounce = parsed.bounce
    if bounce.action != "failed":
        return settle(row, "ignored", reason=f"delivery status notification, action {bounce.action}",
                       parsed=parsed)
    target = db.session.scalar(
        scope.select(Message, Message.kind == "outbound",
                     Message.message_id_header.in_(bounce.original_message_ids[:50]))
        .order_by(Message.id.desc()).limit(1)
    ) if bounce.original_message_ids else None
    if target is None:
        return settle(row, "ignored", reason="a bounce for no message we sent", parsed=parsed)
    target.delivery_status = "bounced"
    target.delivery_error = (bounce.diagnostic or "bounced")[:2000]
    ticket = target.ticket
    events.record(ticket.client_id, "message.delivery_failed", Actor.system(), {
        "message": {"id": target.id, "delivery_status": "bounced", "error": target.delivery_error[:300],
                    "recipients": bounce.recipients[:10]},
        "ticket": ticket_summary(ticket),
    }, ticket_id=ticket.id)
    return settle(row, "bounce", ticket_id=ticket.id, message_id=target.id, parsed=parsed)


def _over_sender_limit(client_id: int, sender: str) -> bool:
    """Stops mail loops (an auto-responder answering our acknowledgements, say). Fails open."""
    window = current_app.config["MAIL_SENDER_WINDOW"]
    key = f"helpdesk:mailrate:{client_id}:{hashlib.sha1(sender.encode()).hexdigest()}"
    try:
        connection = get_redis()
        with connection.pipeline() as pipe:
            pipe.set(key, 0, ex=window, nx=True)  # the window starts at the first message
            pipe.incr(key)
            count = pipe.execute()[1]
    except RedisError as exc:
        log.warning("mail rate limit unavailable (redis): %s", exc)
        return False
    return count > current_app.config["MAIL_SENDER_LIMIT"]


def _store_attachments(message: Message, parsed: ParsedMail) -> None:
    if not parsed.attachments:
        return
    store = attachment_store()
    by_content_id = {}
    for part in parsed.attachments:
        attachment = Attachment(
            client_id=message.client_id, message=message, filename=safe_filename(part.filename),
            content_type=part.content_type[:200], size=len(part.data), sha256=hashlib.sha256(part.data).hexdigest(),
            storage_key=store.put(part.data), content_id=part.content_id, is_inline=part.inline,
        )
        db.session.add(attachment)
        if part.content_id:
            by_content_id[part.content_id.strip("<>")] = attachment
    db.session.flush()
    if message.body_html and by_content_id:
        def point_at_attachment(match: re.Match) -> str:
            found = by_content_id.get(match.group(2).strip().strip("<>").lower())
            url = f"/agent/api/attachments/{found.id}/inline" if found else "about:blank"
            return f"{match.group(1)}{url}{match.group(3)}"

        message.body_html = CID_SRC.sub(point_at_attachment, message.body_html)


UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\"*:<>?|]")
WINDOWS_DEVICE_NAME = re.compile(r"^(con|prn|aux|nul|conin\$|conout\$|com[1-9¹²³]|lpt[1-9¹²³])(\.|$)", re.IGNORECASE)


def safe_filename(name: str) -> str:
    """No paths, control or bidi characters (``evil\u202egnp.exe``), no leading dots. What Windows will not
    save is fixed too: a device name (``CON``, ``aux.txt``) gets a prefix, trailing dots and blanks go. A
    long name is cut to 200 characters, keeping its extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = UNSAFE_NAME_CHARS.sub("_", base).strip().lstrip(".").strip().rstrip(". ")
    base = base.replace("..", "_")
    if WINDOWS_DEVICE_NAME.match(base):
        base = "_" + base
    if len(base) > 200:
        stem, dot, extension = base.rpartition(".")
        keep = dot and stem and len(extension) <= 16
        base = stem[:199 - len(extension)].rstrip(". ") + dot + extension if keep else base[:200]
    return base or "attachment"


DEFAULT_ACK = (
    "Hello{name},\n\nThank you for contacting {client}. We have received your message and opened "
    "ticket {reference}. We will answer as soon as we can.\n\nPlease keep {token} in the subject "
    "when you reply."
)


def queue_auto_ack(ticket: Ticket, inbound: Message) -> Message:
    contact = ticket.contact
    name = f" {contact.name}" if contact and contact.name else ""
    body = (ticket.client.auto_ack_body or DEFAULT_ACK).format(
        name=name, client=ticket.client.name, reference=ticket.reference, token=f"[#{ticket.reference}]",
        subject=ticket.subject,
    )
    ack = tickets.new_message(ticket, "outbound", body_text=body, channel="email", is_auto_reply=True,
                      headers={"automatic": "acknowledgement"})
    email_out.queue_outbound(ticket, ack)
    return ack
