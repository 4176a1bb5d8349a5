"""`python -m competition`: serve the app with Socket.IO in one process (the embedded mode).
HOST and PORT come from the environment (defaults 127.0.0.1:5000)."""
import gc
import os

from . import create_app
from .extensions import socketio


def main() -> None:
    if os.environ.get("SOCKETIO_ASYNC_MODE", "threading") != "threading":
        # gevent must patch the standard library before anything imports it, which gunicorn's
        # gevent worker does and `python -m competition` (the package is imported first) cannot.
        raise SystemExit("python -m competition serves the threading mode only; run the gevent mode "
                         "with gunicorn: gunicorn -c deploy/gunicorn.conf.py (docs/deploy.md)")
    app = create_app()
    # Everything loaded so far (the app, its mappers, templates, translations) lives as long as
    # the process: keep it out of the collector's full passes, which otherwise walk it while a
    # patch fans out to a thousand spectators.
    gc.freeze()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Serving on http://{host}:{port} (Ctrl+C to stop)", flush=True)
    # Werkzeug's threaded server with simple-websocket: right for one venue's LAN; the
    # cluster mode runs gunicorn instead (docs/deploy.md).
    socketio.run(app, host=host, port=port, debug=False, use_reloader=False, log_output=False,
                 allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
