"""The organiser's forms for contests, events and marking schemes. The scheme's fields are
checked by competition.contests.schemes (which ends in the scoring rules), as a contest file's
are, so the same scheme is accepted here, by an import and by the scoring; a form only puts
each problem, in the organiser's language, next to its field."""
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, DateTimeLocalField, FieldList, FormField, IntegerField,
                     SelectChoice, SelectField, StringField, TextAreaField)
from wtforms import Form as SubForm  # a row of a FieldList: no CSRF token of its own
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..forms import Form
from ..messages import message
from ..numbering import rules as numbering
from . import schemes
from .models import DEFAULT_TIME_ZONE

SLUG_RE = r"^[a-z0-9-]{2,64}$"
CODE_RE = r"^[A-Za-z0-9_-]{1,32}$"

_required = _l("Required.")
slug_hint = _l("Use 2 to 64 lowercase letters, digits or hyphens, for example chaoyang-2026.")
_code_hint = _l("Use 1 to 32 letters, digits, hyphens or underscores, for example AI or P1.")


def say(problem) -> str:
    """A scheme problem (a scoring.Problem) in the organiser's language."""
    return message(problem.code, **problem.params)


def method_choices():
    return [SelectChoice("single", _l("Single judge")), SelectChoice("mean", _l("Mean")),
            SelectChoice("median", _l("Median")),
            SelectChoice("trimmed", _l("Trimmed mean (drop highest and lowest)")),
            SelectChoice("judgement", _l("Judgement 0–3 (WorldSkills)")),
            SelectChoice("tolerance", _l("Trimmed mean with tolerance"))]


def kind_choices():
    return [SelectChoice("measurement", _l("Measurement")), SelectChoice("judgement", _l("Judgement"))]


def _label(choices, value: str) -> str:
    return next((str(c.label) for c in choices if c.value == value), value)


def method_label(method: str) -> str:
    return _label(method_choices(), method)


def kind_label(kind: str) -> str:
    return _label(kind_choices(), kind)


# --- the contest ---------------------------------------------------------------------------

class ContestForm(Form):
    name = StringField(_l("Contest name"), validators=[DataRequired(_required), Length(max=200)])
    slug = StringField(_l("Web address (slug)"), validators=[DataRequired(_required), Regexp(SLUG_RE, message=slug_hint)],
                       description=_l("Part of every link to the contest, as in /c/chaoyang-2026: lowercase letters, digits "
                                      "and hyphens. It can change only while the contest is a draft."),
                       render_kw={"autocapitalize": "none", "spellcheck": "false"})
    organisation = SelectField(_l("Organisation"), coerce=int, validate_choice=True, default=0)
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    venue = StringField(_l("Venue"), validators=[Length(max=200)])
    is_blind = BooleanField(_l("Blind judging: judges see draw codes, not names or bibs"))
    is_names_hidden = BooleanField(_l("Hide names on public boards until the results are announced"))
    shows_judge_marks = BooleanField(_l("Contestants see each judge's marks under pseudonyms (J1, J2 …) with their "
                                        "results"))
    shows_public_ranges = BooleanField(_l("The public board shows each incomplete entry's possible rank (可能名次)"))
    gives_participation_certificates = BooleanField(_l("At publication, a participation certificate (参赛证书) for "
                                                        "every entry with a result and no award"))
    time_zone = StringField(_l("Time zone"), default=DEFAULT_TIME_ZONE, validators=[DataRequired(_required),
                                                                                  Length(max=64)],
                            description=_l("Every time is shown in this zone, such as Asia/Shanghai."),
                            render_kw={"spellcheck": "false"})
    standings_best_n = IntegerField(_l("Delegation standings: best N results count"), default=3,
                                    validators=[InputRequired(_required), NumberRange(1, 1000)])
    bib_pattern = StringField(_l("Bib pattern"), default="{event}{n:03}", validators=[DataRequired(_required), Length(max=64)],
                              description=_l("{event} is the event code in capitals, {n} the running number: "
                                             "{event}{n:03} gives AI001, AI002 …"),
                              render_kw={"spellcheck": "false"})
    privacy_notice = TextAreaField(_l("Privacy notice for registrants"), validators=[Length(max=20000)],
                                   render_kw={"rows": 5})

    def __init__(self, *args, slug_taken=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.slug_taken = slug_taken  # callable: is this slug another contest's?

    def validate_slug(self, field):
        if self.slug_taken and self.slug_taken(field.data):
            raise ValidationError(_("The address “%(slug)s” is already taken by another contest.", slug=field.data))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("The last day cannot be before the first day."))

    def validate_time_zone(self, field):
        try:
            ZoneInfo((field.data or "").strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_("Unknown time zone: use a name such as Asia/Shanghai.")) from None

    def validate_bib_pattern(self, field):
        try:
            numbering.check_pattern((field.data or "").strip())  # as values() saves it
        except numbering.PatternInvalid as invalid:
            raise ValidationError(message(invalid.code)) from None

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "slug": self.slug.data.strip(), "starts_on": self.starts_on.data,
                "ends_on": self.ends_on.data, "venue": (self.venue.data or "").strip(),
                "is_blind": self.is_blind.data,
                "is_names_hidden": self.is_names_hidden.data, "standings_best_n": self.standings_best_n.data,
                "bib_pattern": self.bib_pattern.data.strip(), "privacy_notice": (self.privacy_notice.data or "").strip(),
                "shows_judge_marks": self.shows_judge_marks.data, "shows_public_ranges": self.shows_public_ranges.data,
                "gives_participation_certificates": self.gives_participation_certificates.data, "time_zone": self.time_zone.data.strip()}


class StatusForm(Form):
    target = StringField(validators=[DataRequired()])
    reason = StringField(_l("Why the publication is withdrawn"), validators=[Optional(), Length(max=500)])


class AnnounceForm(Form):
    """公示: the results go public with a window for objections (and one for appeals), in the
    contest's time zone."""

    objections_until = DateTimeLocalField(_l("Objections until"), format="%Y-%m-%dT%H:%M",
                                          validators=[DataRequired(_required)])
    appeals_until = DateTimeLocalField(_l("Appeals until (empty: the same)"), format="%Y-%m-%dT%H:%M",
                                       validators=[Optional()])

    def validate_objections_until(self, field):
        _plausible(field)

    def validate_appeals_until(self, field):
        _plausible(field)


def _plausible(field) -> None:
    """A window ends within a few years, not in year 1 or 9999 (which no time zone can convert)."""
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_("Choose a date between 2000 and 2100."))


# --- events --------------------------------------------------------------------------------

class AwardRow(SubForm):
    name = StringField(_l("Award"), validators=[Length(max=64)])
    basis = SelectField(_l("By"), choices=[SelectChoice("count", _l("entries")),
                                                    SelectChoice("share", _l("percent of the ranked field"))],
                        default="count")
    amount = StringField(_l("How many"), render_kw={"inputmode": "decimal"})

    def is_blank(self) -> bool:
        return not (self.name.data or "").strip() and not (self.amount.data or "").strip()


class EventForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(_required), Regexp(CODE_RE, message=_code_hint)],
                       description=_l("Short, used in links and bibs: AI, IOT-1 …"),
                       render_kw={"autocapitalize": "none", "spellcheck": "false"})
    name = StringField(_l("Event name"), validators=[DataRequired(_required), Length(max=200)])
    position = IntegerField(_l("Order"), default=1, validators=[InputRequired(_required), NumberRange(0, 10000)])
    is_team = BooleanField(_l("Team event"))
    team_size = IntegerField(_l("Team size (members at most)"), validators=[Optional(), NumberRange(1, 100)])
    capacity = IntegerField(_l("Capacity: entries at most (empty: no limit)"), validators=[Optional(), NumberRange(0, 100000)])
    registration_deadline = DateTimeLocalField(_l("Registration closes"), format="%Y-%m-%dT%H:%M",
                                               validators=[Optional()],
                                               description=_l("Local time. Leave empty to close with the contest's registration."))
    places = SelectField(_l("Decimal places of scores"), coerce=int, default=2,
                         choices=[SelectChoice(n, str(n)) for n in range(5)])
    tie_break = FieldList(SelectField(_l("Then"), validate_choice=False), min_entries=1)
    awards = FieldList(FormField(AwardRow), min_entries=1)
    promotion_title = StringField(_l("Title"), validators=[Length(max=64)],
                                  description=_l("Such as 技师. Leave empty for no promotion list."))
    promotion_basis = SelectField(_l("By"), choices=[SelectChoice("count", _l("entries")),
                                                     SelectChoice("share", _l("percent of the entries that passed"))],
                                  default="count")
    promotion_amount = StringField(_l("How many"), render_kw={"inputmode": "decimal"})

    def __init__(self, *args, code_taken=None, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.code_taken = code_taken
        keys = [SelectChoice("", _("—")), SelectChoice("-completion_time", _("Shorter completion time"))]
        keys += [SelectChoice(f"section:{code}", _("Higher score in section %(code)s", code=code)) for code in sections]
        self.tie_break_choices = keys
        # One select per possible key, so the whole chain can be given.
        while len(self.tie_break.entries) < len(keys) - 1:
            self.tie_break.append_entry()
        for entry in self.tie_break.entries:
            entry.choices = keys
        while len(self.awards.entries) < 3 or not self.awards.entries[-1].form.is_blank():
            self.awards.append_entry()
        self.chain: list[str] = []
        self.award_list: list[dict] = []
        self.promotion: dict | None = None

    def validate_code(self, field):
        if self.code_taken and self.code_taken(field.data.strip()):
            raise ValidationError(_("This contest already has an event with the code “%(code)s”.", code=field.data.strip()))

    def validate_team_size(self, field):
        if field.data is not None and not self.is_team.data:
            raise ValidationError(_("A team size is only for team events: tick “Team event” or leave it empty."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        known = {choice.value for choice in self.tie_break_choices}
        self.chain = []
        for entry in self.tie_break.entries:
            key = entry.data or ""
            if not key:
                continue
            if key not in known:
                entry.errors.append(_("Choose one of the listed keys."))
                ok = False
            elif key in self.chain:
                entry.errors.append(_("This key is already earlier in the chain."))
                ok = False
            else:
                self.chain.append(key)
        ok = self._check_awards() and ok
        ok = self._check_promotion() and ok
        return ok

    def _check_promotion(self) -> bool:
        # Checked as a contest file's promotion is (competition.contests.schemes).
        title, amount = (self.promotion_title.data or "").strip(), (self.promotion_amount.data or "").strip()
        self.promotion = None
        if not title and not amount:
            return True
        if not amount:
            self.promotion_amount.errors.append(_("How many entries are promoted?"))
            return False
        value = {"title": title}
        if self.promotion_basis.data == "share":
            value["share"] = amount
        elif re.fullmatch(r"[0-9]{1,7}", amount):
            value["count"] = int(amount)
        else:
            self.promotion_amount.errors.append(_("Enter a whole number of entries, such as 3."))
            return False
        promotion, problems = schemes.check_promotion_value(value)
        for problem in problems:
            target = self.promotion_title if problem.path[:1] == ("title",) else self.promotion_amount
            target.errors.append(say(problem))
        self.promotion = promotion
        return not problems

    def _check_awards(self) -> bool:
        # The rows are checked as a contest file's awards are (competition.contests.schemes).
        ok, rows, indexes = True, [], []
        for i, row in enumerate(self.awards.entries):
            form = row.form
            if form.is_blank():
                continue
            amount = (form.amount.data or "").strip()
            value = {"name": (form.name.data or "").strip()}
            if not amount:
                form.amount.errors.append(_("How many entries get this award?"))
                ok = False
                continue
            if form.basis.data == "share":
                value["share"] = amount
            elif re.fullmatch(r"[0-9]{1,7}", amount):
                value["count"] = int(amount)
            else:
                form.amount.errors.append(_("Enter a whole number of entries, such as 3."))
                ok = False
                continue
            rows.append(value)
            indexes.append(i)
        awards, problems = schemes.check_awards(rows)
        for problem in problems:
            form = self.awards.entries[indexes[problem.path[0]]].form
            target = form.name if problem.path[1:2] == ("name",) else form.amount
            target.errors.append(say(problem))
            ok = False
        self.award_list = [a for a in awards if a is not None]
        return ok

    def values(self) -> dict:
        return {"code": self.code.data.strip(), "name": self.name.data.strip(), "position": self.position.data,
                "is_team": self.is_team.data, "team_size": self.team_size.data if self.is_team.data else None,
                "capacity": self.capacity.data, "registration_deadline": self.registration_deadline.data,
                "places": self.places.data, "tie_break": list(self.chain), "awards": list(self.award_list),
                "promotion": self.promotion}


def promotion_data(promotion: dict | None) -> dict:
    """Event.promotion as the form's three fields."""
    if not promotion:
        return {}
    share = promotion.get("count") is None
    return {"promotion_title": promotion["title"], "promotion_basis": "share" if share else "count",
            "promotion_amount": str(promotion["share"] if share else promotion["count"])}


def award_rows(awards: list[dict]) -> list[dict]:
    """Event.awards as the rows of the awards table."""
    return [{"name": a["name"], "basis": "count" if a.get("count") is not None else "share",
             "amount": str(a["count"]) if a.get("count") is not None else str(a["share"])} for a in awards or []]


# --- the marking scheme --------------------------------------------------------------------

class SectionForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(_required), Regexp(CODE_RE, message=_code_hint)],
                       render_kw={"autocapitalize": "none", "spellcheck": "false"})
    name = StringField(_l("Section name"), validators=[DataRequired(_required), Length(max=200)])
    weight = StringField(_l("Weight"), render_kw={"inputmode": "decimal"},
                         description=_l("For example 30 for 30 percent. Give every section of the event a weight, or none "
                                        "(then the total is the plain sum)."))
    pass_mark = StringField(_l("Pass mark (percent of the section's maximum)"), render_kw={"inputmode": "decimal"},
                            description=_l("Optional: an entry below it gets no award."))
    position = IntegerField(_l("Order"), default=1, validators=[InputRequired(_required), NumberRange(0, 10000)])

    def __init__(self, *args, code_taken=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.code_taken = code_taken
        self.clean: dict = {}

    def validate_code(self, field):
        if self.code_taken and self.code_taken(field.data.strip()):
            raise ValidationError(_("This event already has a section with the code “%(code)s”.", code=field.data.strip()))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        checker = schemes.Checker()
        raw = {"weight": (self.weight.data or "").strip() or None, "pass": (self.pass_mark.data or "").strip() or None}
        weight, pass_mark = schemes.section_numbers(checker, raw, ())
        for problem in checker.problems:
            (self.weight if problem.path[-1] == "weight" else self.pass_mark).errors.append(say(problem))
        self.clean = {"code": (self.code.data or "").strip(), "name": (self.name.data or "").strip(),
                      "weight": weight, "pass_mark": pass_mark, "position": self.position.data}
        return ok and not checker.problems


class CriterionForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(_required), Regexp(CODE_RE, message=_code_hint)],
                       render_kw={"autocapitalize": "none", "spellcheck": "false"})
    name = StringField(_l("Criterion name"), validators=[DataRequired(_required), Length(max=200)])
    description = TextAreaField(_l("Description for the judges"), render_kw={"rows": 2})
    max = StringField(_l("Maximum mark"), validators=[DataRequired(_required)], render_kw={"inputmode": "decimal"})
    kind = SelectField(_l("Kind"), choices=kind_choices, default="measurement")
    method = SelectField(_l("How the judges' marks combine"), choices=method_choices, default="single")
    judges = IntegerField(_l("Number of judges"), default=1, validators=[InputRequired(_required), NumberRange(1, 100)])
    trim = IntegerField(_l("Drop this many highest and lowest marks"), default=1,
                        validators=[Optional(), NumberRange(0, 50)],
                        description=_l("Trimmed mean and tolerance only."))
    spread = StringField(_l("Largest spread between judges before it is flagged"), default="1",
                         render_kw={"inputmode": "decimal"}, description=_l("Judgement only."))
    tolerance = StringField(_l("Tolerance"), render_kw={"inputmode": "decimal"},
                            description=_l("Tolerance only: when the counted marks differ by more, the mean of all marks counts."))
    step = StringField(_l("Mark step"), render_kw={"inputmode": "decimal"},
                       description=_l("Optional, for example 0.5: marks must be multiples of it. Not for judgement."))
    descriptor_0 = StringField(_l("What 0 means"), validators=[Length(max=200)])
    descriptor_1 = StringField(_l("What 1 means"), validators=[Length(max=200)])
    descriptor_2 = StringField(_l("What 2 means"), validators=[Length(max=200)])
    descriptor_3 = StringField(_l("What 3 means"), validators=[Length(max=200)])
    position = IntegerField(_l("Order"), default=1, validators=[InputRequired(_required), NumberRange(0, 10000)])

    def __init__(self, *args, code_taken=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.code_taken = code_taken
        self.spec: schemes.CriterionSpec | None = None

    def descriptor_fields(self):
        return [self.descriptor_0, self.descriptor_1, self.descriptor_2, self.descriptor_3]

    def validate_code(self, field):
        if self.code_taken and self.code_taken(field.data.strip()):
            raise ValidationError(_("This event already has a criterion with the code “%(code)s”.", code=field.data.strip()))

    def as_file_criterion(self) -> dict:
        """The criterion as the contest file writes it, for the file's checker."""
        def text(field):
            return (field.data or "").strip()

        o = {"code": text(self.code), "name": text(self.name), "max": text(self.max), "kind": self.kind.data,
             "method": self.method.data, "judges": self.judges.data if self.judges.data is not None else 1}
        if self.trim.data is not None:
            o["trim"] = self.trim.data
        for key, field in (("spread", self.spread), ("tolerance", self.tolerance), ("step", self.step)):
            if text(field):
                o[key] = text(field)
        descriptors = [text(f) for f in self.descriptor_fields()]
        if any(descriptors):
            o["descriptors"] = descriptors
        if text(self.description):
            o["description"] = text(self.description)
        return o

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.errors:
            return False  # the types first: the scheme's rules need whole numbers where they are due
        checker = schemes.Checker()
        self.spec = schemes.check_criterion(checker, self.as_file_criterion(), ())
        for problem in checker.problems:
            self._field_for(problem).errors.append(say(problem))
        return ok and not checker.problems

    def _field_for(self, problem):
        """The field a problem is told next to: the field it names; for four descriptors not
        all given, the first one missing."""
        path = problem.path
        if not path:
            return self.method
        if path[0] == "descriptors":
            fields = self.descriptor_fields()
            missing = [f for f in fields if not (f.data or "").strip()]
            return missing[0] if missing and problem.code == "descriptors_four" else fields[0]
        return getattr(self, path[0], self.method)


class CopySchemeForm(Form):
    source = SelectField(_l("Copy the marking scheme of"), coerce=int, validate_choice=True)
