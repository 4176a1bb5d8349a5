"""Chinese first: the locale follows the user's choice, then the browser, then zh_Hans."""
from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale, gettext

from .extensions import babel
from . import times
from .contests.models import RESULT_STATUSES
from .messages import CASE_STATUS_LABELS, result_status_text, status_label
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
                "status_label": status_label, "result_status": _result_status, "case_status": _case_status,
                "contest_time": times.local_text, "result_status_words": _result_status_words}


def _result_status(event, status: str | None = None) -> str:
    """The words for an event's result status (or `status`, a snapshot's), with the end of
    the objection window while announced, in the contest's time zone."""
    contest = event.contest
    return result_status_text(status or event.result_status, times.local_text(contest, contest.objections_until))


def _result_status_words(contest) -> dict:
    """What board scripts say of result statuses and provisional awards, for `t()`."""
    until = times.local_text(contest, contest.objections_until)
    words = {f"result_{status}": result_status_text(status, until) for status in RESULT_STATUSES}
    words["provisional_award"] = gettext("%(award)s (provisional)", award="{award}")
    return words


def _case_status(status: str) -> str:
    label = CASE_STATUS_LABELS.get(status)
    return str(label) if label is not None else status
