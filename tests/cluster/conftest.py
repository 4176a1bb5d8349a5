"""Fixtures of the cluster tests: real PostgreSQL and Redis (skipped when missing, failed in
CI), and two gunicorn server processes on one database and one Redis channel of this run."""
import uuid

import pytest
import redis

from ..conftest import need_service
from ..server import LiveServer
from . import parts

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        need_service("Redis", exc)
    return REDIS_URL


@pytest.fixture(scope="module")
def pg_url():
    """A scratch PostgreSQL database for this module (the servers migrate it)."""
    try:
        url = parts.create_database()
    except Exception as exc:  # noqa: BLE001
        need_service("PostgreSQL", exc)
    yield url
    parts.drop_database(url)


def cluster_env(queue: str | None, mode: str = "threading", **extra) -> dict:
    """A server process's environment: the queue (and the rate limits) on Redis, on a channel
    of its own so parallel runs on one Redis never cross."""
    env = {"SOCKETIO_ASYNC_MODE": mode, "MARK_RATE_LIMIT": "100000 per minute",
           "GUNICORN_THREADS": "200", "SOCKETIO_CHANNEL": f"gj-test-{uuid.uuid4().hex[:10]}"}
    if queue:
        env.update(SOCKETIO_MESSAGE_QUEUE=queue, RATELIMIT_STORAGE_URI=queue)
    env.update(extra)
    return env


def start_pair(database_url: str, env: dict, modes=("threading", "gevent")) -> list[LiveServer]:
    """Two gunicorn processes on one database and queue channel (the first migrates)."""
    servers = []
    try:
        for i, mode in enumerate(modes):
            server = LiveServer(database_url, dict(env, SOCKETIO_ASYNC_MODE=mode), gunicorn=True)
            servers.append(server)
            server.start(migrate=i == 0)
    except Exception:
        for server in servers:
            server.stop()
        raise
    return servers


@pytest.fixture(scope="module")
def pg_cluster(pg_url, redis_url):
    """Process A (gthread) and process B (gevent) on PostgreSQL and Redis: the two async
    modes also prove they speak one format on the queue."""
    servers = start_pair(pg_url, cluster_env(redis_url))
    yield servers
    for server in servers:
        server.stop()
