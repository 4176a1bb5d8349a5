"""Chinese first: the locale follows the user's choice, then the browser, then zh_Hans."""
from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale

from .extensions import babel
from .messages import status_label
from .safety import back_target

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if not has_request_context():  # a command, a background task: the app's default
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans")
    chosen = session.get("lang")
    if chosen in ("zh_Hans", "en"):
        return chosen
    # Accept-Language gives zh-CN, zh-Hans, zh, en-US …: match on the language alone.
    for lang, _quality in request.accept_languages:
        lang = lang.lower()
        if lang.startswith("zh"):
            return "zh_Hans"
        if lang.startswith("en"):
            return "en"
    return "zh_Hans"


@bp.post("/lang/<lang>")
def switch(lang: str):
    if lang in ("zh_Hans", "en"):
        session["lang"] = lang
    return redirect(back_target(url_for("public.home")))


def init_i18n(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)

    @app.context_processor
    def inject_locale():
        locale = str(get_locale() or "zh_Hans")
        return {"current_lang": locale, "html_lang": "zh-Hans" if locale.startswith("zh") else "en",
                "status_label": status_label}
