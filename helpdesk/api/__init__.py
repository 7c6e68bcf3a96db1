"""REST API ``/api/v1`` for client companies; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from helpdesk.api import audit, events, privacy, regions, reports, tickets, webhooks
from helpdesk.extensions import api, limiter


def register_api(app: Flask) -> None:
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    # Every documented operation needs the key (and Swagger UI only sends it where this is declared).
    api.spec.options["security"] = [{"bearerAuth": []}]
    for module in (tickets, events, regions, reports, webhooks, audit, privacy):
        api.register_blueprint(module.blp)

    @app.get("/api/v1/docs/assets/<path:filename>")
    @limiter.exempt
    def swagger_assets(filename: str):
        return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
