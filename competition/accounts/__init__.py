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
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))
