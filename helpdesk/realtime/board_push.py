"""Pushing wallboards to supervisor sockets.

The pusher runs while this node has supervisor sockets: every half second it asks the
wallboard service whether it is this node's turn and the board changed, and emits it
(through the message queue, so it reaches supervisors on every node)."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from helpdesk.extensions import db, socketio
from helpdesk.realtime.rooms import AGENT_NS, SUPERVISORS_ROOM, agent_room
from helpdesk.supervision import wallboard

log = logging.getLogger(__name__)


# Supervisor sockets on this node. The pusher runs while there are any: every half second it
# asks the wallboard service whether it is this node's turn and the board changed, and emits
# it (through the message queue, so it reaches supervisors on every node).
_board_watchers: set[str] = set()
_board_watchers_lock = threading.Lock()
_board_pusher_stopped = threading.Event()
_board_pusher_stopped.set()


def watch_wallboard(app: Flask, sid: str) -> None:
    with _board_watchers_lock:
        first = not _board_watchers
        _board_watchers.add(sid)
    if first:
        _board_pusher_stopped.clear()
        socketio.start_background_task(_push_wallboards, app)


def unwatch_wallboard(sid: str) -> None:
    with _board_watchers_lock:
        _board_watchers.discard(sid)


def stop_wallboard_pusher(timeout: float = 5) -> bool:
    """Stop pushing boards from this process (shutdown, or an app being torn down); True once stopped."""
    with _board_watchers_lock:
        _board_watchers.clear()
    return _board_pusher_stopped.wait(timeout)


def _push_wallboards(app: Flask) -> None:
    try:
        while True:
            socketio.sleep(wallboard.PUSH_INTERVAL.total_seconds())
            if not _board_watchers:  # checked after the sleep: no tick once the last watcher left
                return
            _push_wallboards_once(app)
    finally:
        _board_pusher_stopped.set()


def _push_wallboards_once(app: Flask) -> None:
    with app.app_context():
        try:
            for supervisor_id, board in wallboard.boards_to_push():
                room = SUPERVISORS_ROOM if supervisor_id is None else agent_room(supervisor_id)
                socketio.emit("wallboard", board, to=room, namespace=AGENT_NS)
        except Exception:  # noqa: BLE001 - a failed push (Redis away) is retried on the next tick
            log.exception("wallboard push failed")
        finally:
            db.session.remove()
