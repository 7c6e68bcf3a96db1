"""The one WSGI entry: ``app = create_app()``.

Run directly (``python wsgi.py``) it serves HTTP and Socket.IO on a gevent
server; gevent must patch the standard library before anything else imports
it, hence the patch at the very top. Under ``gunicorn -k gevent`` the worker
patches by itself.
"""

if __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

from config import config_from_env  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.extensions import socketio  # noqa: E402

app = create_app(config_from_env())


def serve() -> None:
    from gevent import pywsgi

    # gevent answers a request line over 8 KB itself with an empty 414; a long search or
    # filter URL should reach the app, which answers it in the API's JSON error envelope.
    pywsgi.MAX_REQUEST_LINE = 64 * 1024
    host, port = app.config["HOST"], app.config["PORT"]
    app.logger.info("serving on http://%s:%s (async mode %s)", host, port, socketio.async_mode)
    socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=False)


if __name__ == "__main__":
    serve()
