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
