"""Health checks for the load balancer: /healthz (process up), /readyz (database and the
Socket.IO message queue reachable)."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 — any failure means "not ready"
        current_app.logger.warning("readyz: database unreachable: %s", exc)
        checks["database"] = "unreachable"
    finally:
        db.session.rollback()
    queue = current_app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if queue:
        try:
            import redis
            redis.Redis.from_url(queue, socket_connect_timeout=2, socket_timeout=2).ping()
            checks["message_queue"] = "ok"
        except Exception as exc:  # noqa: BLE001
            current_app.logger.warning("readyz: message queue unreachable: %s", exc)
            checks["message_queue"] = "unreachable"
    ready = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
