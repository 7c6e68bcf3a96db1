"""Every model in one place: imported by ``create_app`` so the mapper registry is complete before
first use, by Alembic for autogenerate, and by tests for convenience. Application code imports a
model from its own domain (``helpdesk.tickets.models``), never from here."""

from helpdesk.audit import AuditEntry
from helpdesk.channels.models import CallLog, InboundRaw, ThreadRef
from helpdesk.client.models import (
    ApiKey,
    Client,
    PortalUser,
    SupportAddress,
    WebhookDelivery,
    WebhookEndpoint,
    client_regions,
)
from helpdesk.platform.db import UTCDateTime, utcnow
from helpdesk.platform.models import Event, IdempotencyKey, ImmutableEventError, Outbox, TenantCounter
from helpdesk.routing.models import Calendar, CalendarClosure, Region
from helpdesk.sla.models import PRIORITIES, OlaTarget, SlaPolicy
from helpdesk.staff.models import PRESENCE_STATES, ROLES, Agent, PresenceLog, agent_clients
from helpdesk.supervision.models import CsatResponse, QaReview, QaRubric, ReportRollup, TicketFact
from helpdesk.tickets.models import (
    CHANNELS,
    MESSAGE_KINDS,
    OPEN_STATUSES,
    STATUSES,
    Attachment,
    Contact,
    Macro,
    Message,
    Ticket,
)

__all__ = [
    "AuditEntry",
    "CHANNELS", "MESSAGE_KINDS", "OPEN_STATUSES", "PRESENCE_STATES", "PRIORITIES", "ROLES", "STATUSES",
    "Agent", "ApiKey", "Attachment", "Calendar", "CalendarClosure", "CallLog", "Client", "Contact",
    "CsatResponse", "Event", "IdempotencyKey", "ImmutableEventError", "InboundRaw", "Macro", "Message",
    "OlaTarget", "Outbox", "PortalUser", "PresenceLog", "QaReview", "QaRubric", "Region", "ReportRollup", "SlaPolicy",
    "SupportAddress", "TenantCounter", "ThreadRef", "Ticket", "TicketFact", "UTCDateTime", "WebhookDelivery",
    "WebhookEndpoint", "agent_clients", "client_regions", "utcnow",
]
