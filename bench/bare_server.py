"""The baseline for bench/live_latency.py: a bare Flask-SocketIO server that does nothing but
re-emit a `patch` of a requested size to the spectators of one room.

Same stack as `SOCKETIO_ASYNC_MODE=threading python -m competition` (the embedded server
serves gevent by default since issue 19): async_mode "threading", served by Werkzeug through
`socketio.run(..., allow_unsafe_werkzeug=True)` with simple-websocket; same namespace (/live),
same event name, same room name and the same patch shape, so the only difference from our
server is the work between the HTTP request and the emit (auth, the mark's transaction,
results, audit).

    python bench/bare_server.py --port 5099

GET  /healthz  -> "ok"
POST /emit     {"seq": int, "size": int}  -> emits a patch whose encoded Socket.IO packet is
               exactly `size` bytes to the room, then answers {"seq": seq, "size": size}.
"""
import argparse
import json

from flask import Flask, jsonify, request
from flask_socketio import SocketIO, join_room
from socketio import packet as sio_packet

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


def create_app() -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bench-bare-server"
    socketio = SocketIO(app, async_mode="threading", logger=False, engineio_logger=False)

    @socketio.on("watch", namespace=NAMESPACE)
    def watch(data):
        join_room(ROOM)
        return {"contest": CONTEST, "event": EVENT, "seq": 0, "frozen": False, "columns": [], "rows": []}

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.post("/emit")
    def emit():
        data = request.get_json(force=True)
        seq, size = int(data["seq"]), int(data["size"])
        patch = make_patch(seq, size)
        socketio.emit("patch", patch, to=ROOM, namespace=NAMESPACE)
        return jsonify({"seq": seq, "size": size})

    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5099)
    args = parser.parse_args()
    app, socketio = create_app()
    print(json.dumps({"serving": f"http://{args.host}:{args.port}"}), flush=True)
    socketio.run(app, host=args.host, port=args.port, debug=False, use_reloader=False, log_output=False,
                 allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
