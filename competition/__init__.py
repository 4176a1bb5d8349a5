"""Gongjiang (工匠): live scoring for union-run digital skills contests.

Importing the package imports nothing else: `python -m competition` must be able to let
gevent patch the standard library before Flask, SQLAlchemy or anything else is imported
(competition/__main__.py), so every import happens inside create_app."""
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> "Flask":
    from flask import Flask

    from . import config as config_module
    from .extensions import csrf, db, limiter, login_manager, migrate, socketio

    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config_module.from_environment(app.instance_path))
    app.config.update(config or {})
    app.json.ensure_ascii = False  # Chinese names stay readable in the JSON API
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    from .database import end_session
    app.teardown_appcontext(end_session)  # runs before Flask-SQLAlchemy's own removal
    migrate.init_app(app, db, directory=str(ROOT / "competition" / "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    socketio.init_app(app, async_mode=app.config["SOCKETIO_ASYNC_MODE"],
                      message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
                      channel=app.config.get("SOCKETIO_CHANNEL") or "flask-socketio",
                      cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS", []) or None,
                      ping_interval=app.config.get("SOCKETIO_PING_INTERVAL", 25),
                      ping_timeout=app.config.get("SOCKETIO_PING_TIMEOUT", 20),
                      # Socket.IO handlers only read the session (current_user, the language),
                      # from the connection's cookie: no copy of it kept per connection.
                      manage_session=False, logger=False, engineio_logger=False)
    from .extensions import compression_without_memory
    compression_without_memory()
    if app.config["SOCKETIO_ASYNC_MODE"] == "gevent":
        from .extensions import ping_on_gevent_loop, websocket_without_reader_greenlet
        ping_on_gevent_loop()
        websocket_without_reader_greenlet(socketio.server)

    from . import models  # noqa: F401  (every table registered before the first query)
    from .accounts import init_accounts
    from .accounts.routes import bp as accounts_bp
    from .api.routes import bp as api_bp
    from .appeals.routes import bp as appeals_bp
    from .boards.routes import bp as boards_bp
    from .certificates.routes import bp as certificates_bp
    from .cli import register_cli
    from .contest_files.routes import bp as contest_files_bp
    from .contests.routes import bp as contests_bp
    from .delegations.routes import bp as delegations_bp
    from .entries.routes import bp as entries_bp
    from .admin.routes import bp as admin_bp
    from .errors import init_errors
    from .hall.routes import bp as hall_bp
    from .health import bp as health_bp
    from .i18n import init_i18n
    from .security import init_security
    from .judges.routes import bp as judges_bp
    from .judging.routes import bp as judging_bp
    from .numbering.routes import bp as numbering_bp
    from .paper.routes import bp as paper_bp
    from .printing.routes import bp as printing_bp
    from .public.routes import bp as public_bp

    from .privacy import mask_id_number, mask_phone

    init_i18n(app)
    # Personal data on organisers' pages is shown masked, by the same two functions everywhere.
    app.add_template_global(mask_id_number, "mask_id")
    app.add_template_global(mask_phone, "mask_mobile")
    init_errors(app)
    init_security(app)
    init_accounts(app)
    # One blueprint per feature, each defined in its routes.py.
    for blueprint in (public_bp, accounts_bp, contests_bp, contest_files_bp, entries_bp, delegations_bp, numbering_bp,
                      judges_bp, judging_bp, paper_bp, boards_bp, hall_bp, appeals_bp, certificates_bp, printing_bp, admin_bp, api_bp,
                      health_bp):
        app.register_blueprint(blueprint)
    register_cli(app)

    from .live import init_live
    init_live(app)
    return app
