"""JSON error envelopes for the browser's JSON APIs (/agent/api, /supervisor/api).

Every error, including Flask-WTF's CSRF refusal and anything unexpected, answers
``{"error": {"code", "message", "details"}}`` with its status, never an HTML page.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from helpdesk.errors import CODES, AppError, ValidationFailed, error_body


def json_error(status: int, code: str, message: str, details: Any = None, headers: dict | None = None):
    return jsonify(error_body(code, message, details)), status, headers or {}


def install_json_errors(bp: Blueprint, log: logging.Logger, *, refused_input_status: int | None = None) -> None:
    """Answer the blueprint's errors as JSON envelopes. ``refused_input_status`` overrides the status
    of a ``ValidationFailed`` (422 elsewhere), for an API that answers refused input with 400."""

    @bp.errorhandler(AppError)
    def _app_error(error: AppError):
        if refused_input_status is not None and isinstance(error, ValidationFailed):
            return json_error(refused_input_status, CODES[refused_input_status], error.message, error.details)
        return json_error(error.status, error.code, error.message, error.details)

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        # Includes Flask-WTF's CSRFError (a 400) raised before the view runs.
        status = error.code or 500
        allowed = getattr(error, "valid_methods", None)
        headers = {"Allow": ", ".join(allowed)} if allowed else None
        return json_error(status, CODES.get(status, "error"), error.description or error.name, None, headers)

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_error(500, "internal_error", "An unexpected error occurred.")


def json_body() -> Any:
    """The request's JSON (``{}`` when there is no body); malformed JSON is a 400 with a clear message."""
    data = request.get_json(silent=True)
    if data is None:
        if request.get_data():
            raise AppError("The request body is not valid JSON.", {"json": ["Invalid JSON body."]})
        data = {}
    return data
