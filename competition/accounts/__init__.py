"""Accounts: people log in with Flask-Login sessions; tablets and scripts may use tokens."""
from ..extensions import db, login_manager


def init_accounts(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .models import User

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        number, _, version = user_id.partition(".")
        if not (number.isdigit() and version.isdigit()):
            return None
        user = db.session.get(User, int(number))
        # A session from before the password last changed is over.
        return user if user is not None and user.session_version == int(version) else None
