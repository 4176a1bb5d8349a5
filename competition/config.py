"""Configuration from environment variables, with safe defaults for the embedded mode
(one process, SQLite under instance/) and a hard stop in production without a real secret."""
import os
import secrets
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    pass


def _kept_secret(instance_path: Path, production: bool, name: str, make) -> str:
    """A secret from the environment variable `name`, which production must set; in the
    embedded mode generated once by `make()` under instance/ (its name in lower case) and kept,
    so that what it protects survives a restart."""
    value = (os.environ.get(name) or "").strip()
    if value:
        return value
    if production:
        raise ConfigError(f"{name} must be set when APP_ENV=production")
    path = instance_path / name.lower()
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # Made at most once, even by processes starting together (test workers, a server and
        # its flask commands): the first to create the file writes it, the others read it.
        try:
            descriptor = os.open(path.with_suffix(".new"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            descriptor = None
        if descriptor is not None:
            with os.fdopen(descriptor, "w") as out:
                out.write(make())
            try:
                os.link(path.with_suffix(".new"), path)  # never replaces a file another made
            except FileExistsError:
                pass
            os.unlink(path.with_suffix(".new"))
        else:
            for _ in range(100):  # another process is writing it
                if path.exists():
                    break
                time.sleep(0.05)
            else:  # left behind by a process that died while writing: start again
                path.with_suffix(".new").unlink(missing_ok=True)
                return _kept_secret(instance_path, production, name, make)
    return path.read_text().strip()


def _secret_key(instance_path: Path, production: bool) -> str:
    key = _kept_secret(instance_path, production, "SECRET_KEY", lambda: secrets.token_hex(32))
    if production and len(key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")
    return key


def _id_number_keys(instance_path: Path, production: bool) -> tuple[str, ...]:
    """The keys resident ID numbers are sealed with (competition/sealing.py), newest first,
    comma-separated: a Fernet key each."""
    from cryptography.fernet import Fernet
    keys = tuple(k.strip() for k in _kept_secret(instance_path, production, "ID_NUMBER_KEYS",
                                                 lambda: Fernet.generate_key().decode()).split(",") if k.strip())
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError("ID_NUMBER_KEYS must be Fernet keys (32 url-safe base64-encoded bytes), "
                              "comma-separated, newest first") from None
    return keys


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'gongjiang.sqlite'}"


ASYNC_MODES = ("threading", "gevent")


def _async_mode() -> str:
    """The Socket.IO async mode, named by the operator: never auto-detected (a stray eventlet
    or gevent in the venv must not change how the server runs), and never eventlet."""
    mode = (os.environ.get("SOCKETIO_ASYNC_MODE") or "threading").strip()
    if mode not in ASYNC_MODES:
        raise ConfigError(f"SOCKETIO_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}, not {mode!r}")
    return mode


def from_environment(instance_path: str) -> dict:
    instance = Path(instance_path)
    production = os.environ.get("APP_ENV", "embedded") == "production"
    queue = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    return {
        "APP_ENV": "production" if production else "embedded",
        "SECRET_KEY": _secret_key(instance, production),
        # Resident ID numbers at rest: sealed with the first of these keys, opened with any;
        # the index key makes the keyed hash that finds a number again (docs/deploy.md).
        "ID_NUMBER_KEYS": _id_number_keys(instance, production),
        "ID_INDEX_KEY": _kept_secret(instance, production, "ID_INDEX_KEY", lambda: secrets.token_hex(32)),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SOCKETIO_MESSAGE_QUEUE": queue,
        # Set, never auto-detected (DESIGN.md §6); eventlet stays out.
        "SOCKETIO_ASYNC_MODE": _async_mode(),
        # The Redis pub/sub channel of the queue: processes of one site share it; two sites (or
        # two test runs) on one Redis use two channels, since pub/sub ignores the db number.
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL") or "flask-socketio",
        # engine.io's heartbeat, whole seconds: a ping every interval, a spectator that answers none
        # within the timeout is dropped (engine.io's defaults; tests shorten them).
        "SOCKETIO_PING_INTERVAL": int(os.environ.get("SOCKETIO_PING_INTERVAL") or 25),
        "SOCKETIO_PING_TIMEOUT": int(os.environ.get("SOCKETIO_PING_TIMEOUT") or 20),
        # Patches for one board within this window go out merged (0: every patch at once).
        "LIVE_COALESCE_MS": int(os.environ.get("LIVE_COALESCE_MS", "100")),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Redis down must not stop the judges: count in memory (per process) until it is back.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": ({"socket_connect_timeout": 2, "socket_timeout": 2}
                                      if os.environ.get("RATELIMIT_STORAGE_URI", "").startswith("redis")
                                      else {}),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Failed logins (a wrong password, an unknown user) per account, whatever the address: a
        # guesser is slowed down on every account, and a venue is never locked out as a whole.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # Failed logins per client address, over all accounts: a hall of tablets behind one NAT
        # shares an address, so only a guesser trying many accounts reaches it.
        "LOGIN_ADDRESS_RATE_LIMIT": os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "200 per minute;1000 per hour"),
        # Per client address: a venue's tablets behind one NAT share it.
        "MARK_RATE_LIMIT": os.environ.get("MARK_RATE_LIMIT", "600 per minute"),
        # How often a judge's tablet reports itself to the chief judge's tablet view (judging.tablets).
        "TABLET_REPORT_SECONDS": int(os.environ.get("TABLET_REPORT_SECONDS") or 15),
        # How long a judge's API token works (a contest's days, with room to spare).
        "API_TOKEN_DAYS": int(os.environ.get("API_TOKEN_DAYS", "30")),
        # The public forms, per address: registering (a union's office behind one NAT may
        # register a room of workers), and the status lookup, objections and appeals, which
        # each ask for a reference and the last digits of an ID (guessable, so tighter).
        "REGISTRATION_RATE_LIMIT": os.environ.get("REGISTRATION_RATE_LIMIT", "30 per minute;300 per hour"),
        "REGISTRATION_STATUS_RATE_LIMIT": os.environ.get("REGISTRATION_STATUS_RATE_LIMIT",
                                                         "10 per minute;60 per hour"),
        "BABEL_DEFAULT_LOCALE": "zh_Hans",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TZ_NAME", "Asia/Shanghai"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "competition" / "translations"),
        "LANGUAGES": ("zh_Hans", "en"),
        # How many reverse proxies (nginx …) stand in front and set X-Forwarded-For/-Proto;
        # 0 trusts none, so a client cannot spoof its address to dodge the login limit.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # The address phones reach the app at, for QR codes on the big screen (e.g.
        # http://192.168.1.10:5000); by default the address the screen itself was opened with.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").rstrip("/") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,  # a judge's form may stay open all morning
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    }
