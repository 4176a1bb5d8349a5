"""Free text is held to a length and loses bidirectional controls (competition/text.py): through
every form (competition.forms.Form), the entrant and judges' imports, contest files and the API's
reason. A U+202E in a name would otherwise reorder the text around it on every board."""
import importlib
import pkgutil

import pytest
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import Length

import competition
from competition.accounts.services import find_user
from competition.contest_files.services import import_contest
from competition.contests.models import contest_by_slug
from competition.entries.identity import clean_text
from competition.entries.models import Contestant
from competition.errors import ActionRefused
from competition.extensions import db
from competition.forms import Form
from competition.marking.services import submit_mark
from competition.text import BIDI_CONTROLS, TEXT_MAX, strip_bidi

from .factory import form_data, has_id_number, import_sample, make_contest, resident_id, sample_contest

RLO, PDF, LRI = "\u202e", "\u202c", "\u2066"


def every_form():
    for module in pkgutil.walk_packages(competition.__path__, "competition."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    seen, todo = set(), [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted(seen, key=lambda f: f.__qualname__)


def test_every_forms_text_fields_have_a_bound_and_lose_bidi_controls(app):
    forms = every_form()
    assert len(forms) > 30  # the feature forms were found
    unbounded = []
    with app.test_request_context():
        for form_class in forms:
            try:
                form = form_class(formdata=None)
            except TypeError:  # a form built per criterion or per event needs its arguments
                continue
            for field in form:
                if isinstance(field, StringField):
                    if not any(isinstance(v, Length) and v.max >= 0 for v in field.validators):
                        unbounded.append(f"{form_class.__qualname__}.{field.name}")
                    if not isinstance(field, PasswordField):
                        assert strip_bidi in field.filters, f"{form_class.__qualname__}.{field.name}"
    assert not unbounded


def test_bidi_controls_go_and_nothing_else():
    assert strip_bidi(f"{RLO}张𠈌䶮{PDF}") == "张𠈌䶮" and strip_bidi(None) is None
    assert strip_bidi("".join(BIDI_CONTROLS)) == ""
    assert clean_text(f"  北京{LRI}  电力{RLO} ") == "北京 电力"
    assert strip_bidi("عربي‎ ZWJ👨‍👩‍👧") == "عربي ZWJ👨‍👩‍👧"  # letters and emoji joiners stay


def test_a_registered_name_loses_its_override(client, app):
    make_contest()
    response = client.post("/c/reg-2026/register", data=form_data(name=f"{RLO}张三{PDF}", delegation=f"首钢{RLO}集团工会"))
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.scalar(select(Contestant).where(has_id_number(resident_id(1))))
    assert person.name == "张三" and person.delegation.name == "首钢集团工会"


def test_a_text_past_its_bound_is_refused_next_to_its_field_and_kept(client, app):
    make_contest()
    too_long = "电" * (TEXT_MAX + 1)
    response = client.post("/c/reg-2026/register", data=form_data(trade=too_long))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="trade-error"' in html and db.session.scalar(select(Contestant.id)) is None


def test_a_contest_file_is_cleaned_too(app):
    data = sample_contest()
    data["contest"]["name"] = f"示例{RLO}竞赛"
    data["events"][0]["name"] = f"{LRI}人工智能训练师"
    import_contest(data)
    contest = contest_by_slug(data["contest"]["slug"])
    assert contest.name == "示例竞赛" and contest.events[0].name == "人工智能训练师"


def test_the_apis_reason_is_bounded(app):
    import_sample()
    with pytest.raises(ActionRefused) as refused:
        submit_mark(find_user("k1"), contest="sample-2026", event="iot", entry="S02", criterion="T1",
                    value="30", client_id="bounded-1", reason="理" * 501, source="api")
    assert refused.value.code == "too_long" and refused.value.params == {"max": 500}
