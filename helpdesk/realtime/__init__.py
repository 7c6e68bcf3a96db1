"""Every Socket.IO emit and namespace handler; no domain imports this package (domains record
events, and the outbox's ``publish_event`` job pushes them).

- ``server``: ``init_app`` (message queue, origin check, namespaces)
- ``rooms``: room names, an event's rooms, a staff socket's rooms
- ``emit``: emits from any process (``publish_event``, ``push_now``, presence, the chat survey)
- ``agent_socket`` (/agent), ``chat_socket`` (/chat), ``access`` (closing sockets whose access
  shrank), ``board_push`` (wallboards to supervisors)
"""

from helpdesk.realtime.access import watch_access
from helpdesk.realtime.board_push import stop_wallboard_pusher
from helpdesk.realtime.emit import offer_chat_survey, publish_event, publish_presence_set, push_now
from helpdesk.realtime.rooms import AGENT_NS, agent_room, queue_room
from helpdesk.realtime.server import init_app

__all__ = ["AGENT_NS", "agent_room", "init_app", "offer_chat_survey", "publish_event", "publish_presence_set",
           "push_now", "queue_room", "stop_wallboard_pusher", "watch_access"]
