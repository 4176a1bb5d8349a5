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


def websocket_without_reader_greenlet(server) -> bool:
    """engine.io's websockets, in a process gevent has patched, read by the greenlet that waits
    for their messages anyway instead of by one more greenlet each. engine.io runs its
    websocket loop in the request's greenlet, which waits in simple-websocket's receive() for
    an event that simple-websocket's reader thread sets once it has read a message: in gevent
    mode a greenlet per connection whose saved stack, Python frames and thread object cost
    about 10 KB of every spectator (bench/cluster.py spectators: 61 -> 51 KB per connection
    at 1,000). Here receive() does the reader's work itself (simple-websocket's Base._thread
    without a ping_interval, which engine.io never sets): it reads the socket and hands the
    bytes to the same wsproto connection and simple-websocket's own _handle_events, so pings,
    pongs and closes are answered as before and nothing changes on the wire. Only engine.io
    calls receive(), from that one greenlet; its writer greenlet only sends. The private parts
    used (engine.io's per-server `_async` table, simple-websocket's `_handle_events`, `sock`,
    `input_buffer`) are those of the pinned python-engineio and simple-websocket.
    `server` is the Socket.IO server (socketio.server). True when done."""
    from gevent import monkey
    if not monkey.is_module_patched("socket"):
        return False
    import gevent
    import simple_websocket
    from engineio.async_drivers import gevent as driver
    from wsproto.utilities import LocalProtocolError

    if driver.SimpleWebSocketWSGI is None:
        return False  # gevent-websocket is installed and engine.io uses it: no reader thread

    class NoReader:
        """In place of simple-websocket's reader thread, which its constructor starts."""
        name = "(inline reader)"

        def __init__(self, target):
            """The reader's loop (`target`) is never run: receive() reads instead."""

        def start(self) -> None:
            """Nothing to start."""

    class ReadingServer(simple_websocket.Server):
        def receive(self, timeout=None):
            """simple-websocket's receive(), doing its reader thread's work (Base._thread
            without a ping_interval, which engine.io does not set) until a message is in."""
            with gevent.Timeout(timeout, False):
                while self.connected and not self.input_buffer:
                    try:
                        data = self.sock.recv(self.receive_bytes)
                        if not data:
                            raise OSError()
                        self.ws.receive_data(data)
                        self.connected = self._handle_events()
                    except (OSError, LocalProtocolError):
                        self.connected = False
            if self.input_buffer:
                return self.input_buffer.pop(0)
            if self.connected:
                return None  # the timeout
            self.sock.close()  # as the reader thread does when its loop ends
            raise simple_websocket.ConnectionClosed(self.close_reason, self.close_message)

    class ReadingWebSocketWSGI(driver.WebSocketWSGI):
        def __init__(self, handler, server):
            super().__init__(handler, server)
            self.server_args["thread_class"] = NoReader

        def __call__(self, environ, start_response):  # SimpleWebSocketWSGI's, with ReadingServer
            self.ws = ReadingServer(environ, **self.server_args)
            try:
                ret = self.app(self)
            finally:
                # engine.io is done with it: nobody reads it any more (simple-websocket's
                # reader would have closed it once the client closed its end).
                self.ws.sock.close()
            if self.ws.mode == "gunicorn":
                raise StopIteration()
            elif self.ws.mode == "werkzeug":
                raise ConnectionError()
            return ret

    eio = server.eio
    eio._async = dict(eio._async, websocket=ReadingWebSocketWSGI)
    return True


def compression_without_memory() -> None:
    """permessage-deflate as browsers get it, without a compressor and a decompressor kept per
    connection (issue 19): simple-websocket accepts every browser's offer of compression with
    wsproto's defaults, under which both directions keep their zlib state for the whole
    connection, about 100 KB of every phone watching (measured with a client that offers
    deflate as browsers do: 154 KB per connection against 44 KB declined). Answering with
    server_no_context_takeover and client_no_context_takeover, which RFC 7692 lets a server
    add to any offer (§7.1.1.1, §7.1.1.2), each message is compressed on its own and the state
    goes with it: patches still travel compressed over the venue's Wi-Fi, and nothing of zlib
    stays between them. simple-websocket is pinned; it builds its PerMessageDeflate by name."""
    import simple_websocket.ws
    from wsproto.extensions import PerMessageDeflate

    if getattr(simple_websocket.ws.PerMessageDeflate, "without_memory", False):
        return

    class MessageByMessageDeflate(PerMessageDeflate):
        without_memory = True

        def __init__(self, **options) -> None:
            options.setdefault("server_no_context_takeover", True)
            options.setdefault("client_no_context_takeover", True)
            super().__init__(**options)

    simple_websocket.ws.PerMessageDeflate = MessageByMessageDeflate
