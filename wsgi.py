"""The WSGI entry point: builds the app, nothing more."""
from competition import create_app
from competition.extensions import socketio  # noqa: F401  (gunicorn and `flask serve` use it)

app = create_app()
