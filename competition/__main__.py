"""`python -m competition`: serve the app with Socket.IO in one process (the embedded mode).
HOST and PORT come from the environment (defaults 127.0.0.1:5000)."""
import os

if os.environ.get("SOCKETIO_ASYNC_MODE") == "gevent":
    # Before anything imports socket or threading: the database and Redis clients must yield.
    from gevent import monkey
    monkey.patch_all()

from . import create_app
from .extensions import socketio


def main() -> None:
    app = create_app()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Serving on http://{host}:{port} (Ctrl+C to stop)", flush=True)
    # Threading: Werkzeug's threaded server with simple-websocket, right for one venue's LAN;
    # gevent: gevent's WSGI server. The cluster mode runs gunicorn instead (docs/deploy.md).
    socketio.run(app, host=host, port=port, debug=False, use_reloader=False, log_output=False,
                 allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
