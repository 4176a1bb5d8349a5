"""gunicorn settings for one Gongjiang server process (the cluster mode, docs/deploy.md).

    gunicorn -c deploy/gunicorn.conf.py

Run several of these, each on its own port, behind nginx with sticky sessions: a Socket.IO
session lives in one process, and gunicorn's own balancing across workers is not sticky, so
every gunicorn runs exactly one worker. The processes share PostgreSQL and the Redis message
queue. Everything comes from the environment:

  HOST, PORT               where to listen (127.0.0.1:8001)
  SOCKETIO_ASYNC_MODE      threading (gthread worker, the default) or gevent (gevent worker);
                           the app reads the same variable, so both always agree
  GUNICORN_THREADS         threading: threads, i.e. requests plus websockets held at once (1000)
  GUNICORN_CONNECTIONS     gevent: connections held at once (10000)
  GUNICORN_GRACEFUL_TIMEOUT  seconds a stopping worker gets to finish its requests (20)
"""
import os

_mode = os.environ.get("SOCKETIO_ASYNC_MODE") or "threading"

wsgi_app = "wsgi:app"
bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8001')}"]
workers = 1
proc_name = f"gongjiang:{os.environ.get('PORT', '8001')}"

if _mode == "gevent":
    worker_class = "gevent"  # monkey-patches before the app loads; websockets by simple-websocket
    worker_connections = int(os.environ.get("GUNICORN_CONNECTIONS", "10000"))
elif _mode == "threading":
    # Each websocket holds one thread for its lifetime (simple-websocket on the gthread worker).
    worker_class = "gthread"
    threads = int(os.environ.get("GUNICORN_THREADS", "1000"))
    worker_connections = threads + 100  # keep-alive HTTP connections need room beyond the threads
else:
    raise RuntimeError(f"SOCKETIO_ASYNC_MODE must be threading or gevent, not {_mode!r}")

# A websocket is a request that lasts for hours; the worker's heartbeat is separate from it.
timeout = 60
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# nginx sets X-Forwarded-*; the app trusts them only with TRUSTED_PROXIES=1 (config.py).
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")


def post_worker_init(worker):
    """The app is loaded: keep its long-lived objects out of the collector's full passes (as
    `python -m competition` does), so a collection during a fan-out stays short."""
    import gc
    gc.freeze()
