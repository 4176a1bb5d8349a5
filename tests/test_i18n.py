"""Chinese first (DESIGN.md §1): every UI string has a zh_Hans translation, the compiled
catalogues match their sources, and the language follows the switch, then the browser, then zh_Hans."""
import io
import re
import subprocess
import sys
from pathlib import Path

import flask_babel
import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "competition" / "translations"
LOCALES = ("zh_Hans", "en")
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]?\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")
HOW_TO_FIX = "run `make babel-update`, translate in {po}, then `make babel-compile` (docs/i18n.md)"


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read_catalogue(path: Path, locale: str):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)  # pybabel compile leaves fuzzy ones out


def as_key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def compiled_messages(mo_file) -> dict:
    """A .mo file's messages without its header (which names the Babel version)."""
    return {as_key(m.id): as_key(m.string) for m in read_mo(mo_file) if m.id}


def placeholders(text: str) -> set[str]:
    """`%(name)s` → "name", `%d` → "%d"; `%%` is a literal percent sign."""
    return {name or "%" + kind for name, kind in PLACEHOLDER.findall(text) if kind != "%"}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What `make babel-extract` finds now, written to a scratch template (same keywords)."""
    recipe = re.search(r"^babel-extract:.*\n\t(.*)$", (ROOT / "Makefile").read_text(), re.M)
    keywords = re.findall(r"-k\s+(\S+)", recipe.group(1))
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    args = [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-o", str(pot), "--no-location"]
    args += [arg for keyword in keywords for arg in ("-k", keyword)] + ["."]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with pot.open("rb") as f:
        return [m for m in read_po(f) if m.id]


# --- the catalogues -----------------------------------------------------------------------

def test_the_extraction_finds_python_and_template_strings(extracted):
    ids = {m.id for m in extracted}
    assert "Wrong username or password." in ids  # competition/accounts/routes.py
    assert "Skip to content" in ids  # templates/base.html
    assert ("%(num)d event", "%(num)d events") in ids  # templates/public/home.html, ngettext


def test_every_string_has_a_chinese_translation(extracted):
    catalogue = read_catalogue(po_path("zh_Hans"), "zh_Hans")
    missing = [m.id for m in extracted if catalogue.get(m.id) is None or not is_translated(catalogue.get(m.id))]
    assert not missing, (f"{len(missing)} string(s) without a zh_Hans translation — "
                         + HOW_TO_FIX.format(po=po_path("zh_Hans").relative_to(ROOT)) + ":\n"
                         + "\n".join(f"  {m!r}" for m in missing))


def test_the_chinese_catalogue_has_one_plural_form():
    catalogue = read_catalogue(po_path("zh_Hans"), "zh_Hans")
    assert catalogue.num_plurals == 1
    for message in catalogue:
        if isinstance(message.id, tuple):
            assert len(message.string) == 1, message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale):
    wrong = []
    for message in read_catalogue(po_path(locale), locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(placeholders(i) for i in ids))
        wrong += [(message.id, s) for s in strings if s and placeholders(s) != expected]
    assert not wrong, f"placeholders differ between msgid and msgstr in {locale}: {wrong}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogue_matches_its_source(locale):
    """The .mo files are committed so a fresh clone needs no compile step: they must be current.
    Compiled here in memory as `pybabel compile` does, then compared message by message."""
    mo = po_path(locale).with_suffix(".mo")
    hint = f"{mo.relative_to(ROOT)} is stale or missing: run `make babel-compile`"
    assert mo.is_file(), hint
    fresh = io.BytesIO()
    write_mo(fresh, read_catalogue(po_path(locale), locale), use_fuzzy=False)
    fresh.seek(0)
    with mo.open("rb") as f:
        assert compiled_messages(f) == compiled_messages(fresh), hint


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogues_are_not_ignored_by_git(locale):
    mo = po_path(locale).with_suffix(".mo")
    ignored = subprocess.run(["git", "check-ignore", "-q", str(mo)], cwd=ROOT, capture_output=True)
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.returncode == 1, f"{mo.relative_to(ROOT)} is git-ignored, but a fresh clone needs it"


# --- the language a visitor sees ----------------------------------------------------------

def request(client, method: str, path: str, lang: str | None = None, **kwargs):
    # The app fixture keeps one app context open and Flask reuses it for the test client's
    # requests, so Flask-Babel's locale cached on `g` would outlive a request; a server gets a
    # fresh context per request, so start each one afresh here.
    flask_babel.refresh()
    headers = {"Accept-Language": lang} if lang else {}
    return client.open(path, method=method, headers=headers, **kwargs)


def page(client, lang: str | None = None, path: str = "/") -> str:
    response = request(client, "GET", path, lang)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def is_chinese(html: str) -> bool:
    return '<html lang="zh-Hans"' in html and "竞赛" in html and "Contests" not in html


def is_english(html: str) -> bool:
    return '<html lang="en"' in html and "Contests" in html and "竞赛" not in html


def test_chinese_without_accept_language(client):
    assert is_chinese(page(client))


@pytest.mark.parametrize("lang", ["zh-CN", "zh-CN,zh;q=0.9,en;q=0.8", "zh", "zh-Hans", "zh-TW", "zh-HK"])
def test_a_chinese_browser_gets_simplified_chinese(client, lang):
    assert is_chinese(page(client, lang))


@pytest.mark.parametrize("lang", ["en-US,en;q=0.9", "en", "en-GB", "fr-FR,en;q=0.5"])
def test_an_english_browser_gets_english(client, lang):
    assert is_english(page(client, lang))


@pytest.mark.parametrize("lang", ["fr", "de-DE,ja;q=0.8", "*"])
def test_any_other_browser_gets_the_chinese_default(client, lang):
    assert is_chinese(page(client, lang))


def test_the_switch_overrides_the_browser(client):
    response = request(client, "POST", "/lang/en", "zh-CN", data={"next": "/"})
    assert response.status_code in (302, 303)
    assert is_english(page(client, "zh-CN,zh;q=0.9"))
    assert is_english(page(client))

    request(client, "POST", "/lang/zh_Hans", "en-US", data={"next": "/"})
    assert is_chinese(page(client, "en-US,en;q=0.9"))


def test_an_unknown_language_is_ignored(client):
    response = request(client, "POST", "/lang/xx", data={"next": "/"})
    assert response.status_code in (302, 303)
    assert is_chinese(page(client))
    assert is_english(page(client, "en-US"))

    request(client, "POST", "/lang/en")
    request(client, "POST", "/lang/xx")
    assert is_english(page(client, "zh-CN"))


def test_the_switch_returns_to_the_page_it_was_pressed_on(client):
    response = request(client, "POST", "/lang/en", data={"next": "/login?next=%2F"})
    assert response.headers["Location"] == "/login?next=%2F"


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", ""])
def test_the_switch_never_leaves_the_site(client, target):
    response = request(client, "POST", "/lang/en", data={"next": target})
    assert response.headers["Location"] == "/"


def test_the_switch_ignores_a_foreign_referrer(client):
    flask_babel.refresh()
    response = client.post("/lang/en", headers={"Referer": "https://evil.example/page"})
    assert response.headers["Location"] == "/"


def test_the_login_page_is_translated(client):
    html = page(client, path="/login")
    assert all(text in html for text in ("登录", "用户名", "密码", "在此设备上保持登录"))
    html = page(client, "en", path="/login")
    assert all(text in html for text in ("Log in", "Username", "Password", "Keep me logged in"))


@pytest.mark.parametrize(("lang", "message"), [("en-US,en;q=0.9", "This page does not exist."),
                                               ("zh-CN", "页面不存在。"), (None, "页面不存在。")],
                         ids=["en", "zh", "default"])
def test_api_errors_speak_the_visitors_language(client, lang, message):
    response = request(client, "GET", "/api/v1/no-such-thing", lang)
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": message}}


def test_html_errors_are_translated_too(client):
    response = request(client, "GET", "/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "页面不存在。" in html and "返回竞赛列表" in html
