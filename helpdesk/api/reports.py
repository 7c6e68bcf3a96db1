"""/api/v1/reports: a client company's own report figures, by API key."""

from __future__ import annotations

from helpdesk.api.auth import api_blueprint

blp = api_blueprint("api_reports", __name__, "/api/v1/reports", "Reports on the calling client's own tickets")
