"""The chat widget's HTTP side: /chat/<client>/leave-message (when no one is on shift) and a demo page.

Called cross-origin from the client's site, so it answers CORS for the client's
allowed origins only; everything else live goes over the /chat Socket.IO namespace.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from helpdesk.channels.chat import conversations as chat
from helpdesk.errors import Forbidden, NotFound, ValidationFailed
from helpdesk.extensions import csrf, limiter

bp = Blueprint("chat", __name__, url_prefix="/chat")
csrf.exempt(bp)


def _chat_client(slug: str) -> chat.ChatClient:
    client = chat.chat_client(slug)
    if client is None:
        raise NotFound(f"No chat for client {slug!r}.", {"client_slug": [slug]})
    return client


def _client_and_origin(slug: str) -> tuple[chat.ChatClient, str]:
    client = _chat_client(slug)
    origin = chat.normalize_origin(request.headers.get("Origin"))
    if origin not in client.origins:
        raise Forbidden("This site may not send chat messages for this client.", {"origin": [origin]})
    return client, origin


def _cors(response: Response, origin: str) -> Response:
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    response.headers["Vary"] = "Origin"
    return response


@bp.route("/<client_slug>/leave-message", methods=["OPTIONS"])
def leave_message_preflight(client_slug: str):
    _, origin = _client_and_origin(client_slug)
    return _cors(Response(status=204), origin)


@bp.post("/<client_slug>/leave-message")
@limiter.limit(lambda: current_app.config["CHAT_LEAVE_MESSAGE_LIMIT"])
def leave_message(client_slug: str):
    client, origin = _client_and_origin(client_slug)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("Send the message as a JSON object.", {"_schema": ["Expected a JSON object."]})
    ticket = chat.leave_message(client.id, data)
    response = jsonify({"outcome": "created", "reference": ticket.reference})
    response.status_code = 201
    return _cors(response, origin)


@bp.get("/<client_slug>/demo")
def demo_page(client_slug: str):
    """A stand-in for the client's site, with the widget embedded (add this origin to the client's list)."""
    return render_template("chat_demo.html", client_slug=_chat_client(client_slug).slug)
