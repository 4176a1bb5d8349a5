"""The baseline for bench/live_latency.py: a bare Flask-SocketIO server that does nothing but
re-emit a `patch` (ours, replayed, or one of a requested size) to the spectators of one room.

Configured as `python -m competition` is (competition/__main__.py), so the only difference
from our server is the work between the HTTP request and the emit (auth, the mark's
transaction, results, audit, the background sender):

- async mode from `--async-mode`, else SOCKETIO_ASYNC_MODE, else gevent (what `make run`
  serves). **gevent**: `gevent.monkey.patch_all()` before Flask or Socket.IO is imported,
  served by `gevent.pywsgi.WSGIServer` (websockets by simple-websocket on gevent).
  **threading**: Werkzeug through `socketio.run(..., allow_unsafe_werkzeug=True)` with
  simple-websocket.
- `gc.freeze()` once the app is built (`--no-gc-freeze` leaves the collector as it is), and
  the soft open-files limit raised to the hard limit.
- same namespace (/live), same event name, same room name and the same patch shape.

Not copied from ours, because it is our own work rather than Flask-SocketIO's: engine.io's
pings as timers of gevent's loop (competition/extensions.py, ping_on_gevent_loop); the bare
server keeps python-engineio's greenlet per connection that sleeps between pings.

    python bench/bare_server.py --port 5099 [--async-mode gevent|threading] [--no-gc-freeze]

GET  /healthz  -> "ok"
GET  /config   -> {"async_mode": ..., "gc_frozen": ...}
POST /emit     {"seq": int, "patch": {...}} -> emits that patch (ours', replayed by
               bench/live_latency.py) with its seq and base set to seq and seq - 1;
               {"seq": int, "size": int} -> a one-row patch padded to exactly `size` bytes.
               Both answer {"seq": seq, "size": bytes of the packet}.
"""
import os
import sys


def _mode_from_argv(argv: list[str]) -> str | None:
    """--async-mode, read before anything is imported (gevent must patch first)."""
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--async-mode="):
            return arg.split("=", 1)[1]
    return None


# As competition/__main__.py: the mode is settled, and gevent patches the standard library,
# before Flask, Socket.IO or the engine.io drivers are imported.
MODE = _mode_from_argv(sys.argv[1:]) or os.environ.get("SOCKETIO_ASYNC_MODE") or "gevent"
os.environ["SOCKETIO_ASYNC_MODE"] = MODE
if MODE == "gevent":
    from gevent import monkey
    monkey.patch_all()

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402
from socketio import packet as sio_packet  # noqa: E402

from competition.process import raise_open_files_limit  # noqa: E402

NAMESPACE = "/live"
CONTEST, EVENT = "sample-2026", "iot"
ROOM = f"board:{CONTEST}:{EVENT}"


def packet_size(data: dict) -> int:
    """Bytes of the Socket.IO packet that carries `patch` with `data` (what goes in the
    websocket frame after the one-byte Engine.IO message type)."""
    pkt = sio_packet.Packet(sio_packet.EVENT, namespace=NAMESPACE, data=["patch", data])
    return len(pkt.encode().encode("utf-8"))


def make_patch(seq: int, size: int) -> dict:
    """A patch of the protocol's shape (one upserted row) padded to `size` encoded bytes."""
    row = {"entry": "S01", "name": "", "delegation": "", "rank": 1, "total": "0.00",
           "sections": {"T": "0.00", "P": "0.00"}, "progress": [0, 0], "status": "provisional",
           "award": None}
    patch = {"contest": CONTEST, "event": EVENT, "seq": seq, "base": seq - 1, "upsert": [row], "remove": []}
    missing = size - packet_size(patch)
    if missing > 0:
        row["name"] = "x" * missing  # ASCII: one byte a character, escaped the same as sent
    return patch


def create_app(async_mode: str = MODE) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bench-bare-server"
    app.config["GC_FROZEN"] = False
    socketio = SocketIO(app, async_mode=async_mode, logger=False, engineio_logger=False)

    @socketio.on("watch", namespace=NAMESPACE)
    def watch(data):
        join_room(ROOM)
        return {"contest": CONTEST, "event": EVENT, "seq": 0, "frozen": False, "columns": [], "rows": []}

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.get("/config")
    def config():
        return jsonify({"async_mode": socketio.async_mode, "gc_frozen": app.config["GC_FROZEN"],
                        "gc_frozen_objects": gc.get_freeze_count()})

    @app.post("/emit")
    def emit():
        data = request.get_json(force=True)
        seq = int(data["seq"])
        if isinstance(data.get("patch"), dict):
            patch = dict(data["patch"], contest=CONTEST, event=EVENT, seq=seq, base=seq - 1)
        else:
            patch = make_patch(seq, int(data["size"]))
        socketio.emit("patch", patch, to=ROOM, namespace=NAMESPACE)
        return jsonify({"seq": seq, "size": packet_size(patch)})

    return app, socketio


def _serve_gevent(app, host: str, port: int) -> None:
    from gevent import pywsgi
    server = pywsgi.WSGIServer((host, port), app, log=None)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def _serve_threading(app, socketio, host: str, port: int) -> None:
    socketio.run(app, host=host, port=port, debug=False, use_reloader=False, log_output=False,
                 allow_unsafe_werkzeug=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--async-mode", choices=("gevent", "threading"), default=MODE,
                        help="default: SOCKETIO_ASYNC_MODE, else gevent (read before any import)")
    parser.add_argument("--no-gc-freeze", action="store_true", help="do not gc.freeze() after building the app")
    args = parser.parse_args()
    app, socketio = create_app(MODE)
    if not args.no_gc_freeze:
        # As competition/__main__.py: what is loaded now lives as long as the process.
        gc.freeze()
        app.config["GC_FROZEN"] = True
    raise_open_files_limit()
    print(json.dumps({"serving": f"http://{args.host}:{args.port}", "async_mode": socketio.async_mode,
                      "gc_frozen": app.config["GC_FROZEN"],
                      "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0]}), flush=True)
    if socketio.async_mode == "gevent":
        _serve_gevent(app, args.host, args.port)
    else:
        _serve_threading(app, socketio, args.host, args.port)


if __name__ == "__main__":
    main()
