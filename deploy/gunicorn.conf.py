"""gunicorn settings for one web node: one gevent process per node.

One process per node keeps every Socket.IO session of the node in one place (no
sticky routing needed inside the node); grow by adding nodes behind nginx. Events
from other nodes and from the RQ workers arrive through Redis (the Socket.IO
message queue), so an agent's socket may sit on any node.
"""

import os

bind = os.environ.get("HELPDESK_BIND", "0.0.0.0:8000")
worker_class = "gevent"
workers = 1
worker_connections = int(os.environ.get("HELPDESK_WORKER_CONNECTIONS", "2000"))
timeout = 60
graceful_timeout = 20  # SIGTERM: finish accepted requests before exiting
keepalive = 75
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("HELPDESK_PROXY_IPS", "127.0.0.1")
