"""One error envelope for every HTTP surface: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from flask import Flask, abort, current_app, jsonify, render_template, render_template_string, request
from flask_login import current_user
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

JSON_PREFIXES = ("/api/", "/inbound/", "/healthz", "/readyz", "/socket.io")

HTML_ERROR = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ status }} {{ message }}</title><link rel="stylesheet" href="/static/app.css"></head>
<body class="error-page"><main><h1>{{ status }}</h1><p>{{ message }}</p>
<p><a href="/">Home</a></p></main></body></html>"""


class AppError(Exception):
    """A failure a service reports to its caller; the boundary turns it into HTTP."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code
        if status:
            self.status = status

    def body(self) -> dict:
        """The envelope, for answers that are not HTTP responses (socket acks, the CLI)."""
        return error_body(self.code, self.message, self.details)


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class ValidationFailed(AppError):
    status = 422
    code = "validation_failed"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def wants_json() -> bool:
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" or request.is_json


def _validation_details(data: dict) -> Any:
    messages = data.get("messages") or data.get("errors") or {}
    # webargs nests by location ({"json": {...}}); one location is the common case.
    if isinstance(messages, dict) and len(messages) == 1:
        (only,) = messages.values()
        if isinstance(only, dict):  # keep {"json": ["Invalid JSON body."]} an object
            return only
    return messages


def http_error_response(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    details = _validation_details(data) if data else {}
    message = data.get("message") or error.description or error.name
    if status == 422 and not data.get("message"):
        message = "The request has invalid fields."
    if status == 400 and details == {"json": ["Invalid JSON body."]}:
        message = "The request body is not valid JSON."
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return respond(status, CODES.get(status, "error"), message, details, headers)


TITLES = {
    400: "That request could not be understood", 401: "Please sign in", 403: "This page is not for your role",
    404: "There is nothing here", 405: "That action is not possible here", 413: "That is too large",
    422: "Some fields need another look", 429: "Too many tries", 500: "Something went wrong on our side",
    503: "The service is busy or starting",
}


def respond(status: int, code: str, message: str, details: Any = None, headers: dict | None = None):
    response = jsonify(error_body(code, message, details)) if wants_json() else error_page(status, message)
    return response, status, headers or {}


def error_page(status: int, message: str) -> str:
    """The product's own error page, with the way back; the bare one if the page itself fails
    (the database is down, say), so an error never hides behind another."""
    try:
        return render_template("error.html", status=status, title=TITLES.get(status, "Something went wrong"),
                               message=message, back_url=_same_site_referrer())
    except Exception:  # noqa: BLE001
        log.exception("the error page could not be rendered")
        return render_template_string(HTML_ERROR, status=status, message=message)


def _same_site_referrer() -> str | None:
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url) and referrer != request.url:
        return referrer
    return None



def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(error: AppError):
        return respond(error.status, error.code, error.message, error.details)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return http_error_response(error)

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _out_of_range(error: Exception):
        # A number past what a column stores, from input no schema checked: the caller's fault.
        log.warning("value out of range on %s %s: %s", request.method, request.path, error)
        _discard_session()
        return respond(422, "validation_failed", "A value is out of the range this service stores.")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return http_error_response(InternalServerError("An unexpected error occurred."))


def _discard_session() -> None:
    # Through the app's registry: helpdesk.extensions imports this module.
    current_app.extensions["sqlalchemy"].session.rollback()


def not_for_role(page: str, allowed: str = "supervisors and admins") -> NoReturn:
    """Refuse a page to the signed-in role, saying which page it is and whom it is for."""
    abort(403, description=f"{page} for {allowed}; you are signed in as {current_user.role}.")
