"""A contest open for registration, and valid identities to register with."""
from datetime import date, timedelta

from competition.accounts.models import Organisation
from competition.contests.models import Contest, Event
from competition.entries.models import Delegation
from competition.database import utcnow
from competition.extensions import db
from competition.entries.identity import check_character

from ..helpers import make_user

PRIVACY = "我们仅将您的信息用于本次竞赛的组织。"


def resident_id(n: int, born: date = date(1990, 1, 1), region: str = "110105") -> str:
    """A valid resident ID number, different for every n (men for odd n, women for even)."""
    born = born + timedelta(days=n // 500)
    first17 = f"{region}{born:%Y%m%d}{n % 500 * 2 + n % 2:03d}"[:17]
    return first17 + check_character(first17)


def make_contest(slug: str = "reg-2026", *, organisation: str = "朝阳区总工会", status: str = "registration",
                 capacity: int | None = None, deadline_in: timedelta | None = None) -> Contest:
    org = db.session.query(Organisation).filter_by(name=organisation).one_or_none()
    if org is None:
        org = Organisation(name=organisation)
        db.session.add(org)
    contest = Contest(slug=slug, name="职工数字技能竞赛", organisation=org, status=status,
                      privacy_notice=PRIVACY)
    contest.events = [
        Event(code="ai", name="人工智能训练师", position=1, capacity=capacity,
              registration_deadline=(utcnow() + deadline_in) if deadline_in is not None else None),
        Event(code="iiot", name="工业互联网运维员", position=2),
    ]
    contest.delegations = [Delegation(name="首钢集团工会"), Delegation(name="京东方科技集团工会")]
    db.session.add(contest)
    db.session.commit()
    return contest


def organiser(username: str = "org1", organisation: str = "朝阳区总工会"):
    org = db.session.query(Organisation).filter_by(name=organisation).one_or_none()
    if org is None:
        org = Organisation(name=organisation)
        db.session.add(org)
        db.session.flush()
    return make_user(username, organisation=org)


def form_data(n: int = 1, **changes) -> dict:
    data = {"name": "张𠈌䶮", "gender": "male" if n % 2 else "female", "id_type": "resident_id",
            "id_number": resident_id(n), "mobile": "13800138000", "email": "zhang@example.cn",
            "delegation": "首钢集团工会", "trade": "电工", "skill_level": "level3", "events": ["ai"],
            "consent": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
