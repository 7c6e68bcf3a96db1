"""All models, imported once so metadata is complete for Alembic and create_all."""

from helpdesk.models.agent import PRESENCE_STATES, ROLES, Agent, PresenceLog, agent_clients
from helpdesk.models.audit import Event, ImmutableEventError
from helpdesk.models.base import UTCDateTime, utcnow
from helpdesk.models.client import (
    ApiKey,
    Client,
    Contact,
    SupportAddress,
    TenantCounter,
    WebhookEndpoint,
    client_regions,
)
from helpdesk.models.outbox import IdempotencyKey, Outbox, WebhookDelivery
from helpdesk.models.quality import CsatResponse, Macro, QaReview, QaRubric
from helpdesk.models.report import ReportRollup, TicketFact
from helpdesk.models.routing import Calendar, CalendarClosure, Region
from helpdesk.models.sla import PRIORITIES, OlaTarget, SlaPolicy
from helpdesk.models.ticket import (
    CHANNELS,
    MESSAGE_KINDS,
    OPEN_STATUSES,
    STATUSES,
    Attachment,
    CallLog,
    InboundRaw,
    Message,
    Ticket,
)

__all__ = [
    "CHANNELS", "MESSAGE_KINDS", "OPEN_STATUSES", "PRESENCE_STATES", "PRIORITIES", "ROLES", "STATUSES",
    "Agent", "ApiKey", "Attachment", "Calendar", "CalendarClosure", "CallLog", "Client", "Contact",
    "CsatResponse", "Event", "IdempotencyKey", "ImmutableEventError", "InboundRaw", "Macro", "Message",
    "OlaTarget", "Outbox", "PresenceLog", "QaReview", "QaRubric", "Region", "SlaPolicy", "SupportAddress",
    "TenantCounter", "Ticket", "UTCDateTime", "WebhookDelivery", "WebhookEndpoint", "agent_clients",
    "client_regions", "utcnow",
    "ReportRollup", "TicketFact",
]
