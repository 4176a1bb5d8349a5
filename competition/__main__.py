"""`python -m competition`: serve the app with Socket.IO in one process (the embedded mode).
HOST and PORT come from the environment (defaults 127.0.0.1:5000)."""
import gc
import os

from werkzeug.serving import WSGIRequestHandler

from . import create_app
from .extensions import socketio


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, whose Server header names no Werkzeug or Python version."""

    def version_string(self) -> str:
        return "Gongjiang"


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
    print(address_advice(app, host, port), flush=True)
    # Werkzeug's threaded server with simple-websocket: right for one venue's LAN; the
    # cluster mode runs gunicorn instead (docs/deploy.md).
    socketio.run(app, host=host, port=port, debug=False, use_reloader=False, log_output=False,
                 allow_unsafe_werkzeug=True, request_handler=QuietRequestHandler)


if __name__ == "__main__":
    main()
