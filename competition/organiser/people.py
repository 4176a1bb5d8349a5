"""A contestant's detail page for organisers (/o/c/<slug>/contestants/<id>): ID number and
phone masked; seeing the full value is an explicit POST, written to the audit log, shown once."""
from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice, SelectField
from wtforms.validators import DataRequired

from ..audit.models import record
from ..contests.models import Contestant, Entry, entry_member
from ..database import write_transaction
from ..extensions import db
from ..privacy import mask_id_number, mask_phone
from . import bp
from .scope import managed_contest

#: The personal fields an organiser may reveal, with their masks.
REVEALABLE = {"id_number": mask_id_number, "mobile": mask_phone}


class RevealForm(FlaskForm):
    field = SelectField(choices=[SelectChoice("id_number", _l("ID number")),
                                 SelectChoice("mobile", _l("Mobile phone"))],
                        validators=[DataRequired()])


def _contestant(contest, contestant_id: int) -> Contestant:
    person = db.session.get(Contestant, contestant_id)
    if person is None or person.contest_id != contest.id:
        abort(404)
    return person


def reveal(user, contest, contestant: Contestant, field: str, ip: str | None = None) -> str:
    """The full value of one personal field, with an audit entry saying who saw which field when."""
    with write_transaction():
        record("contestant.reveal", user=user, contest=contest, target=f"contestant:{contestant.id}", ip=ip,
               field=field)
    return getattr(contestant, field) or ""


def _page(contest, person, revealed: dict | None = None, status: int = 200):
    entries = list(db.session.scalars(
        select(Entry).outerjoin(entry_member, entry_member.c.entry_id == Entry.id)
        .where((Entry.contestant_id == person.id) | (entry_member.c.contestant_id == person.id))
        .order_by(Entry.event_id, Entry.id).distinct()))
    masked = {name: mask(getattr(person, name)) for name, mask in REVEALABLE.items()}
    response = render_template("organiser/contestant.html", contest=contest, person=person, entries=entries,
                               masked=masked, revealed=revealed or {}, form=RevealForm(formdata=None))
    # A revealed value must not stay in a cache or come back with the browser's back button.
    return response, status, {"Cache-Control": "no-store", "Pragma": "no-cache"}


@bp.get("/c/<slug>/contestants/<int:contestant_id>")
@login_required
def contestant(slug: str, contestant_id: int):
    contest = managed_contest(slug)
    return _page(contest, _contestant(contest, contestant_id))


@bp.post("/c/<slug>/contestants/<int:contestant_id>/reveal")
@login_required
def contestant_reveal(slug: str, contestant_id: int):
    contest = managed_contest(slug)
    person = _contestant(contest, contestant_id)
    form = RevealForm()
    if not form.validate_on_submit() or form.field.data not in REVEALABLE:
        return _page(contest, person, status=400)
    value = reveal(current_user, contest, person, form.field.data, request.remote_addr)
    return _page(contest, person, {form.field.data: value})
