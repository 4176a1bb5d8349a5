"""Two server processes on one SQLite file (WAL): writers queue on BEGIN IMMEDIATE, so twenty
judges marking at once through both lose no update and number every board change once."""
import pytest

from ..server import LiveServer
from . import parts
from .conftest import cluster_env

pytestmark = pytest.mark.cluster


def test_twenty_judges_at_once_on_two_processes_sharing_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    env = cluster_env(None)
    servers = []
    try:
        for i in range(2):
            servers.append(LiveServer(url, env, gunicorn=True))
            servers[-1].start(migrate=i == 0)
        a, b = servers
        data = parts.contest_data("lite", judges=20, entries=15)  # 20 judges × 30 marks
        tokens = parts.prepare(url, data)
        before = {e: parts.board_seq(a.url, "lite", e) for e in ("e1", "e2")}
        answered = parts.Answered()
        parts.run_load([a.url, b.url], tokens, parts.plan_marks(data, seed=3), answered)
        assert not answered.refused, answered.refused[:3]
        assert answered.count() == 600
        parts.check_store(url, data, answered, before)
    finally:
        for server in servers:
            server.stop()
