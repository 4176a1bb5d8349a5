"""`python -m competition` (`make run`): serve the app with Socket.IO in one process, the
embedded mode. gevent by default: gevent's WSGI server, every request and spectator a greenlet,
SQLite as it is; SOCKETIO_ASYNC_MODE=threading serves with Werkzeug's threaded server instead.
HOST and PORT come from the environment (defaults 127.0.0.1:5000)."""
import os

# Before anything else is imported: the package's __init__ imports nothing, so gevent patches
# the standard library (sockets, threads, locks, time.sleep) before Flask, SQLAlchemy, psycopg
# or redis see it. The app reads the same variable (competition/config.py), so both agree.
MODE = os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent")
if MODE == "gevent":
    from gevent import monkey
    monkey.patch_all()

import gc  # noqa: E402

from .process import raise_open_files_limit  # noqa: E402


def address_advice(app, host: str, port: int) -> str:
    """What to tell whoever starts the server about the address phones use (QR codes, links)."""
    from .addresses import configured_public_url, is_loopback, lan_address
    with app.app_context():
        try:
            public = configured_public_url()
        except Exception:  # noqa: BLE001 (a database not migrated yet: the advice is only advice)
            public = app.config.get("PUBLIC_URL")
    lan = lan_address()
    if public and not is_loopback(public):
        return f"Phones and tablets use {public} (QR codes and links carry it)."
    if host not in ("0.0.0.0", "::") and is_loopback(f"http://{host}"):
        where = f"http://{lan}:{port}" if lan else f"http://<this computer's address>:{port}"
        return ("Only this computer can open it: QR codes point at 127.0.0.1, which phones cannot reach.\n"
                f"For phones and tablets on the venue network: HOST=0.0.0.0 PUBLIC_URL={where} make run\n"
                "(or set the public address under Administration after logging in as the admin).")
    return (f"Phones and tablets on the network: http://{lan}:{port}" if lan else "") + \
        ("" if public else f"\nSet PUBLIC_URL=http://{lan or '<address>'}:{port} so that QR codes carry it.")


#: Bytes of pywsgi's read buffer per connection (the requests' lines and headers).
RFILE_BUFFER = 1024


def _serve_gevent(app, host: str, port: int) -> None:
    """gevent's WSGI server (websockets by simple-websocket on gevent, as under gunicorn's
    gevent worker in the cluster mode), its answers named by a Server header without versions."""
    from gevent import pywsgi

    class QuietHandler(pywsgi.WSGIHandler):
        def __init__(self, sock, address, server, rfile=None):
            # A 1 KB read buffer instead of 8 KB: it only ever holds a request's line and
            # headers (bodies are read past it), and a websocket keeps its handler, and so
            # the buffer, for as long as the spectator watches.
            if rfile is None:
                rfile = sock.makefile("rb", RFILE_BUFFER)
            super().__init__(sock, address, server, rfile)

        def finalize_headers(self):
            super().finalize_headers()
            if not any(name.lower() == b"server" for name, _value in self.response_headers):
                self.response_headers.append((b"Server", b"Gongjiang"))

    server = pywsgi.WSGIServer((host, port), app, log=None, handler_class=QuietHandler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def _serve_threading(app, host: str, port: int) -> None:
    """Werkzeug's threaded server with simple-websocket: four threads per spectator."""
    from werkzeug.serving import WSGIRequestHandler

    from .extensions import socketio

    class QuietRequestHandler(WSGIRequestHandler):
        """Werkzeug's handler, whose Server header names no Werkzeug or Python version."""

        def version_string(self) -> str:
            return "Gongjiang"

    socketio.run(app, host=host, port=port, debug=False, use_reloader=False, log_output=False,
                 allow_unsafe_werkzeug=True, request_handler=QuietRequestHandler)


def main() -> None:
    from . import create_app
    app = create_app()
    # Everything loaded so far (the app, its mappers, templates, translations) lives as long as
    # the process: keep it out of the collector's full passes, which otherwise walk it while a
    # patch fans out to a thousand spectators.
    gc.freeze()
    raise_open_files_limit()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Serving on http://{host}:{port} ({app.config['SOCKETIO_ASYNC_MODE']} mode; Ctrl+C to stop)", flush=True)
    print(address_advice(app, host, port), flush=True)
    (_serve_gevent if app.config["SOCKETIO_ASYNC_MODE"] == "gevent" else _serve_threading)(app, host, port)


if __name__ == "__main__":
    main()
