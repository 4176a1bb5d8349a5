"""The Flask extensions, created once here and bound to the app in create_app."""
from flask_babel import Babel
from flask_limiter import HeaderNames, Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints, so Alembic can alter them later on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
#: The Socket.IO namespace of the live boards, screens and announcements (DESIGN.md §4).
LIVE_NAMESPACE = "/live"
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Our handlers set Retry-After themselves (429: errors.rate_limited, 503: database_unavailable);
# the limiter's own (its window's reset), on every answer of a limited route, would overwrite it.
limiter = Limiter(key_func=get_remote_address, default_limits=[],
                  header_name_mapping={HeaderNames.RETRY_AFTER: "X-RateLimit-Retry-After"})
socketio = SocketIO()


def ping_on_gevent_loop() -> bool:
    """engine.io's pings, in a process gevent has patched, as timers of gevent's loop instead
    of a greenlet per spectator (issue 19, item 4): python-engineio keeps a task per connection
    that sleeps the ping interval (25 s) and then sends a ping, in gevent mode a greenlet whose
    saved stack is about 8 KB, held by every spectator all the time. A timer of the loop is a
    small C object, and the greenlet that sends the ping lives only while it sends. What goes
    over the wire, and when, is engine.io's own (python-engineio is pinned). True when done."""
    from gevent import monkey
    if not monkey.is_module_patched("socket"):
        return False
    import time

    import gevent
    from engineio import packet
    from engineio.socket import Socket

    if getattr(Socket.schedule_ping, "on_gevent_loop", False):
        return True

    def send_ping(socket) -> None:  # engine.io's Socket._send_ping, after its sleep
        if not socket.closing and not socket.closed:
            socket.last_ping = time.time()
            socket.send(packet.Packet(packet.PING))

    def fire(socket, timer) -> None:
        timer.close()
        gevent.spawn(send_ping, socket)

    def schedule_ping(self) -> None:
        if self.last_ping:  # as engine.io's: once the previous ping's cycle has completed
            self.last_ping = None
            timer = gevent.get_hub().loop.timer(self.server.ping_interval)
            timer.start(fire, self, timer)

    schedule_ping.on_gevent_loop = True
    Socket.schedule_ping = schedule_ping
    return True
