"""A real server process for live, browser and cluster tests: `python -m competition` (what
`make run` serves: gevent unless `env` sets SOCKETIO_ASYNC_MODE=threading) or gunicorn with
deploy/gunicorn.conf.py, on a free port and its own database, with the CLI at hand to import
contests and issue tokens. `env` sets DATABASE_URL, SOCKETIO_MESSAGE_QUEUE …"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_TEMPLATE: list[Path] = []


def _migrated_template(env: dict) -> Path:
    """An empty SQLite database at the current schema (`flask db upgrade`, once per process)."""
    if not _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="gj-template-")) / "template.sqlite"
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                                env=dict(env, DATABASE_URL=f"sqlite:///{path}"), capture_output=True, text=True,
                                timeout=300)
        if result.returncode:
            raise RuntimeError(f"flask db upgrade failed:\n{result.stdout}\n{result.stderr}")
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


class LiveServer:
    def __init__(self, database_url: str | None = None, env: dict | None = None, gunicorn: bool = False,
                 app: str | None = None):
        self.tmp = Path(tempfile.mkdtemp(prefix="gj-live-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, HOST="127.0.0.1", PORT=str(self.port),
                        DATABASE_URL=database_url or f"sqlite:///{self.tmp}/db.sqlite",
                        SECRET_KEY="live-test-secret-key-0123456789abcdef",
                        # Browser tests log in many times from one address.
                        LOGIN_RATE_LIMIT="1000 per minute")
        self.env.update(env or {})
        self.env.pop("FLASK_RUN_FROM_CLI", None)
        self.proc = None
        self.gunicorn = gunicorn
        self.app = app  # gunicorn only: another WSGI app than wsgi:app (a bench's, from bench/)

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                                env=self.env, capture_output=True, text=True, timeout=300)
        if check and result.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def start(self, migrate: bool = True) -> "LiveServer":
        if migrate and self.env["DATABASE_URL"] == f"sqlite:///{self.tmp}/db.sqlite":
            # The schema of a fresh SQLite server: migrated once per test process, then copied.
            shutil.copyfile(_migrated_template(self.env), self.tmp / "db.sqlite")
        elif migrate:
            self.flask("db", "upgrade")
        self.log = open(self.tmp / "server.log", "a")
        command = ([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
                   + (["--pythonpath", str(ROOT / "bench"), self.app] if self.app else [])
                   if self.gunicorn else [sys.executable, "-m", "competition"])
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180  # a loaded 2-core CI machine starts slowly
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited:\n" + (self.tmp / "server.log").read_text())
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not answer /healthz:\n" + (self.tmp / "server.log").read_text())

    def token(self, username: str) -> str:
        return self.flask("judge-token", username).stdout.strip().splitlines()[-1]

    def kill(self) -> None:
        """SIGKILL the whole server (gunicorn's arbiter and worker): no shutdown of any kind."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "log", None):
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def in_app(server: LiveServer, code: str) -> str:
    """Run Python in an app context against the server's database (one process: fast)."""
    script = ("from competition import create_app\napp = create_app()\nwith app.app_context():\n"
              + textwrap.indent(textwrap.dedent(code), "    "))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=server.env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
