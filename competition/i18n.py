"""Chinese first: the locale follows the user's choice, then the browser, then zh_Hans."""
from urllib.parse import urlsplit

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from .extensions import babel
from .safety import safe_next

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
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
    target = request.form.get("next") or _same_site_path(request.referrer)
    return redirect(safe_next(target) or url_for("public.home"))


def _same_site_path(url: str | None) -> str | None:
    """The path of a Referer from this very site, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def init_i18n(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)

    @app.context_processor
    def inject_locale():
        locale = str(get_locale() or "zh_Hans")
        return {"current_lang": locale, "html_lang": "zh-Hans" if locale.startswith("zh") else "en",
                "status_label": status_label}


def status_label(status: str) -> str:
    labels = {
        "draft": _("Draft"), "registration": _("Registration open"), "judging": _("Judging"),
        "finished": _("Finished"), "published": _("Results published"),
        "provisional": _("Provisional"), "final": _("Final"),
    }
    return labels.get(status, status)
