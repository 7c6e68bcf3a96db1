"""The Socket.IO server: its options (the Redis message queue, so an emit from any process
reaches sockets on any node), the transport's origin check, and the namespaces."""

from __future__ import annotations

import logging

import socketio as socketio_lib
from flask import Flask
from gevent import monkey
from sqlalchemy.orm import Session

from helpdesk.channels.chat import conversations as chat
from helpdesk.errors import AppError, error_body
from helpdesk.extensions import db, socketio
from helpdesk.realtime.access import watch_access
from helpdesk.realtime.agent_socket import AgentNamespace, same_origin
from helpdesk.realtime.chat_socket import ChatNamespace
from helpdesk.realtime.rooms import AGENT_NS, CHAT_NS

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    async_mode = app.config.get("SOCKETIO_ASYNC_MODE") or _detect_async_mode()
    options = {}
    # Flask-SocketIO keeps options between init_app calls; each app states its own.
    socketio.server_options.pop("client_manager", None)
    if app.config.get("SOCKETIO_MESSAGE_QUEUE", True):
        # Built here because Flask-SocketIO only maps redis:// URLs, and the embedded
        # default talks to its redis-server over a unix socket.
        options["client_manager"] = socketio_lib.RedisManager(app.config["REDIS_URL"], channel="helpdesk-socketio")
    socketio.init_app(
        app,
        **options,
        async_mode=async_mode,
        cors_allowed_origins=_origin_check(app),
        logger=False,
        engineio_logger=False,
        manage_session=False,  # Flask-Login reads the signed cookie session as-is
    )
    socketio.on_namespace(AgentNamespace(AGENT_NS))
    socketio.on_namespace(ChatNamespace(CHAT_NS))
    for namespace in (AGENT_NS, CHAT_NS):
        socketio.on_error(namespace)(answer_failed_event)
    watch_access(Session)


def answer_failed_event(error: Exception) -> dict:
    """An event handler raised: its acknowledgement carries the error envelope, like HTTP does."""
    if isinstance(error, ConnectionRefusedError):
        raise error  # a refused connect is python-socketio's to answer
    db.session.rollback()
    db.session.remove()
    if isinstance(error, AppError):
        return error.body()
    if isinstance(error, TypeError) and error.__traceback__ and error.__traceback__.tb_next is None:
        # Raised by the call itself, before the handler ran: the event came with arguments it does not take.
        return error_body("validation_failed", "The event came with arguments it does not take.")
    log.error("socket event failed", exc_info=error)
    return error_body("internal_error", "An unexpected error occurred.")




def _origin_check(app: Flask):
    """The transport's Origin check: our own pages, the configured extras, and chat widgets on
    an origin some client allows (the /chat namespace then checks that it is this client's)."""
    extra = {chat.normalize_origin(o) for o in app.config.get("SOCKETIO_CORS_ORIGINS") or []}

    def allowed(origin: str | None, environ: dict) -> bool:
        if same_origin(origin, environ) or chat.normalize_origin(origin) in extra:
            return True
        with app.app_context():
            try:
                return chat.any_allowed_origin(origin)
            finally:
                db.session.remove()

    return allowed


def _detect_async_mode() -> str:
    return "gevent" if monkey.is_module_patched("socket") else "threading"
