"""Configuration from the environment: production refuses a missing or weak secret, the
embedded mode keeps one generated secret, and database URLs get a driver."""
import stat

import pytest

from competition.config import ConfigError, from_environment

ENV_NAMES = ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "SOCKETIO_ASYNC_MODE",
             "SOCKETIO_CHANNEL", "MARK_RATE_LIMIT", "LOGIN_RATE_LIMIT", "RATELIMIT_STORAGE_URI", "ID_NUMBER_KEYS",
             "ID_INDEX_KEY")
FERNET_KEYS = ("Tuvl1SkbY3Y2yWq3qXW8ntKn4TT4m8a0lQmpr1BB0Hk=", "m7l3S0Uv6PD4VWpN0mH7Y8HfhTP6ZrZ8b1m5n8aC2cQ=")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


def test_production_without_a_secret_key_refuses_to_start(clean_env, instance):
    clean_env.setenv("APP_ENV", "production")
    clean_env.setenv("DATABASE_URL", "postgresql://db/gj")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment(str(instance))
    assert not (instance / "secret_key").exists()  # no key is made up behind the operator's back


def test_production_with_an_empty_secret_key_refuses_to_start(clean_env, instance):
    clean_env.setenv("APP_ENV", "production")
    clean_env.setenv("SECRET_KEY", "")
    with pytest.raises(ConfigError):
        from_environment(str(instance))


@pytest.mark.parametrize("key", ["short", "x" * 31, " " * 40])
def test_production_with_a_weak_secret_key_refuses_to_start(clean_env, instance, key):
    clean_env.setenv("APP_ENV", "production")
    clean_env.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment(str(instance))


def test_production_with_a_real_secret_key(clean_env, instance):
    key = "k" * 16 + "0123456789abcdef0123"
    clean_env.setenv("APP_ENV", "production")
    clean_env.setenv("SECRET_KEY", key)
    clean_env.setenv("DATABASE_URL", "postgresql://u:p@db:5432/gj")
    clean_env.setenv("ID_NUMBER_KEYS", ",".join(FERNET_KEYS))
    clean_env.setenv("ID_INDEX_KEY", "i" * 64)
    config = from_environment(str(instance))
    assert config["APP_ENV"] == "production"
    assert config["SECRET_KEY"] == key
    assert config["ID_NUMBER_KEYS"] == FERNET_KEYS and config["ID_INDEX_KEY"] == "i" * 64
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("missing", ["ID_NUMBER_KEYS", "ID_INDEX_KEY"])
def test_production_without_the_id_number_keys_refuses_to_start(clean_env, instance, missing):
    clean_env.setenv("APP_ENV", "production")
    clean_env.setenv("SECRET_KEY", "s" * 40)
    clean_env.setenv("ID_NUMBER_KEYS", FERNET_KEYS[0])
    clean_env.setenv("ID_INDEX_KEY", "i" * 64)
    clean_env.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        from_environment(str(instance))
    assert not instance.exists() or not (instance / missing.lower()).exists()


def test_id_number_keys_must_be_fernet_keys(clean_env, instance):
    clean_env.setenv("ID_NUMBER_KEYS", f"{FERNET_KEYS[0]},not-a-key")
    with pytest.raises(ConfigError, match="Fernet"):
        from_environment(str(instance))


def test_embedded_mode_keeps_generated_id_number_keys(clean_env, instance):
    first = from_environment(str(instance))
    assert len(first["ID_NUMBER_KEYS"]) == 1 and len(first["ID_INDEX_KEY"]) == 64
    for name in ("id_number_keys", "id_index_key"):
        assert stat.S_IMODE((instance / name).stat().st_mode) == 0o600
    again = from_environment(str(instance))
    assert (again["ID_NUMBER_KEYS"], again["ID_INDEX_KEY"]) == (first["ID_NUMBER_KEYS"], first["ID_INDEX_KEY"])


def test_embedded_mode_generates_a_secret_once_and_reuses_it(clean_env, instance):
    first = from_environment(str(instance))
    path = instance / "secret_key"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == path.read_text().strip()
    second = from_environment(str(instance))
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first["APP_ENV"] == "embedded"
    assert first["SESSION_COOKIE_SECURE"] is False


def test_embedded_secrets_differ_between_instances(clean_env, tmp_path):
    one = from_environment(str(tmp_path / "one"))["SECRET_KEY"]
    two = from_environment(str(tmp_path / "two"))["SECRET_KEY"]
    assert one != two


def test_embedded_mode_takes_a_given_secret_key(clean_env, instance):
    clean_env.setenv("SECRET_KEY", "dev")
    assert from_environment(str(instance))["SECRET_KEY"] == "dev"
    assert not (instance / "secret_key").exists()


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db:5432/gj", "postgresql+psycopg://u:p@db:5432/gj"),
    ("postgresql://u:p@db:5432/gj", "postgresql+psycopg://u:p@db:5432/gj"),
    ("postgresql+psycopg://u:p@db/gj", "postgresql+psycopg://u:p@db/gj"),
    ("sqlite:////var/lib/gj/gj.sqlite", "sqlite:////var/lib/gj/gj.sqlite"),
])
def test_database_url_gets_the_psycopg_driver(clean_env, instance, given, expected):
    clean_env.setenv("DATABASE_URL", given)
    assert from_environment(str(instance))["SQLALCHEMY_DATABASE_URI"] == expected


def test_default_database_is_an_sqlite_file_under_the_instance_path(clean_env, instance):
    url = from_environment(str(instance))["SQLALCHEMY_DATABASE_URI"]
    assert url.startswith("sqlite:///")
    path = url[len("sqlite:///"):]
    assert path.startswith(str(instance) + "/")
    assert path.endswith(".sqlite")
    assert instance.is_dir()


def test_message_queue_and_async_mode(clean_env, instance):
    config = from_environment(str(instance))
    assert config["SOCKETIO_MESSAGE_QUEUE"] is None
    assert config["SOCKETIO_ASYNC_MODE"] == "threading"
    clean_env.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://redis:6379/0")
    clean_env.setenv("SOCKETIO_ASYNC_MODE", "gevent")
    config = from_environment(str(instance))
    assert config["SOCKETIO_MESSAGE_QUEUE"] == "redis://redis:6379/0"
    assert config["SOCKETIO_ASYNC_MODE"] == "gevent"


def test_safe_cookie_and_form_defaults(clean_env, instance):
    config = from_environment(str(instance))
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["BABEL_DEFAULT_LOCALE"] == "zh_Hans"
    assert config["MAX_CONTENT_LENGTH"] > 0


def test_async_mode_is_threading_unless_named(clean_env, instance):
    config = from_environment(str(instance))
    assert config["SOCKETIO_ASYNC_MODE"] == "threading"
    assert config["SOCKETIO_CHANNEL"] == "flask-socketio"
    clean_env.setenv("SOCKETIO_ASYNC_MODE", "gevent")
    clean_env.setenv("SOCKETIO_CHANNEL", "site-a")
    config = from_environment(str(instance))
    assert (config["SOCKETIO_ASYNC_MODE"], config["SOCKETIO_CHANNEL"]) == ("gevent", "site-a")


@pytest.mark.parametrize("mode", ["eventlet", "auto", "asyncio", "Threading"])
def test_any_other_async_mode_refuses_to_start(clean_env, instance, mode):
    clean_env.setenv("SOCKETIO_ASYNC_MODE", mode)
    with pytest.raises(ConfigError, match="SOCKETIO_ASYNC_MODE"):
        from_environment(str(instance))


def test_rate_limits_survive_redis_going_away(clean_env, instance):
    clean_env.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/1")
    config = from_environment(str(instance))
    assert config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert config["RATELIMIT_STORAGE_OPTIONS"]["socket_connect_timeout"] == 2
    assert config["MARK_RATE_LIMIT"] == "600 per minute"
