"""The demo's third contest, at its end: judging finished, the chief judge has signed the event
off, and the results are announced (公示) for a week. A contestant has appealed two marks and
somebody has objected; neither is ruled yet, so a supervisor can try the ruling, a judge the
re-marking and the organiser the publication once the window closes.

The scheme, the judges, the entries and every mark come in as a contest file; the sign-off,
the announcement, the objection and the appeal go through the services people use."""
import random
from datetime import timedelta

from sqlalchemy import select

from ..boards.models import Result
from ..database import utcnow
from ..extensions import db
from . import data

SLUG = "chaoyang-2026-autumn"
NAME = "朝阳区2026年秋季职工数控技能竞赛"
EVENT = "cnc"
PANEL = (("cnc-chief", "高建华", True), ("cnc-j1", "周立新", False), ("cnc-j2", "吴海燕", False),
         ("cnc-j3", "郑国庆", False))
SUPERVISOR = ("supervisor", "监督仲裁组 刘振华")
# The contestant who appealed, and how they look their results up (registration status page).
APPELLANT_REFERENCE = "GJ-QIU26A"
APPELLANT_ID = "11010519880612301X"
ENTRIES = 12
WINDOW_DAYS = 7


def autumn_contest_file() -> dict:
    rng = random.Random(2026_10)
    entries, marks = [], []
    names = set()
    for n in range(1, ENTRIES + 1):
        while True:
            name = rng.choice(data.SURNAMES) + rng.choice(data.GIVEN) + rng.choice(data.GIVEN)
            if name not in names:
                names.add(name)
                break
        bib = f"CNC{n:02d}"
        entries.append({"event": EVENT, "bib": bib, "name": name,
                        "delegation": data.DELEGATIONS[n % len(data.DELEGATIONS)],
                        "completion_time": str(5400 + rng.randint(-900, 600))})
        skill = rng.uniform(0.55, 0.95)
        marks.append({"event": EVENT, "entry": bib, "criterion": "T1", "judge": "cnc-chief",
                      "value": str(round(100 * min(1.0, skill + rng.uniform(-0.08, 0.05))))})
        for username, _name, _chief in PANEL:
            marks.append({"event": EVENT, "entry": bib, "criterion": "P1", "judge": username,
                          "value": str(round(2 * 40 * min(1.0, skill + rng.uniform(-0.06, 0.06))) / 2)})
            marks.append({"event": EVENT, "entry": bib, "criterion": "P2", "judge": username,
                          "value": str(min(3, max(0, round(3 * skill + rng.uniform(-0.6, 0.6)))))})
    return {
        "contest": {"slug": SLUG, "name": NAME, "organisation": data.ORGANISATION, "blind": False,
                    "status": "judging", "venue": "朝阳区职业技能公共实训基地"},
        "events": [{
            "code": EVENT, "name": "数控车工", "team": False, "places": 2,
            "tie_break": ["section:P", "-completion_time"],
            "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 2},
                       {"name": "三等奖", "count": 3}],
            # 新八级工: the best three are put forward as 技师 (the scheme sets no pass marks).
            "promotion": {"title": "技师", "count": 3},
            "sections": [
                {"code": "T", "name": "理论", "weight": "30", "criteria": [
                    {"code": "T1", "name": "理论知识考试", "max": "100", "kind": "measurement", "method": "single",
                     "judges": 1, "step": "1"}]},
                {"code": "P", "name": "实操", "weight": "70", "criteria": [
                    {"code": "P1", "name": "零件加工精度", "max": "40", "kind": "measurement", "method": "trimmed",
                     "trim": 1, "judges": 4, "step": "0.5"},
                    {"code": "P2", "name": "安全文明生产", "max": "10", "kind": "judgement", "method": "judgement",
                     "judges": 4, "spread": "1", "descriptors": list(data.DESCRIPTORS)}]}],
        }],
        "judges": [{"username": u, "name": n, "delegation": data.JURY, "events": [EVENT], "chief": chief}
                   for u, n, chief in PANEL],
        "entries": entries,
        "marks": marks,
    }


def load_autumn(organiser, password: str):
    """Create the autumn contest as it stands during 公示; None when it is there already."""
    from ..accounts.services import find_user
    from ..appeals.services import file_appeal, file_objection
    from ..contest_files.services import ContestFileInvalid, import_contest
    from ..contests import services as contests
    from ..contests.models import contest_by_slug, event_by_code
    from ..entries.models import Contestant, Entry
    from ..judges.services import add_judge
    from ..judging.services import lock_event

    if contest_by_slug(SLUG) is not None:
        return None
    try:
        contest = import_contest(autumn_contest_file(), passwords={u: password for u, _n, _c in PANEL})
    except ContestFileInvalid:
        if contest_by_slug(SLUG) is not None:  # another demo-load got there first
            return None
        raise
    contest.gives_participation_certificates = True  # everyone else gets a 参赛证书 at publication
    db.session.commit()
    event = event_by_code(contest, EVENT)
    lock_event(find_user(PANEL[0][0]), event)
    contests.change_status(organiser, contest_by_slug(SLUG), "finished")
    contests.announce(organiser, contest_by_slug(SLUG), utcnow() + timedelta(days=WINDOW_DAYS))
    contest = contest_by_slug(SLUG)
    add_judge(organiser, contest, username=SUPERVISOR[0], name=SUPERVISOR[1], password=password, role="supervisor")
    # The entrant placed fourth appeals 零件加工精度 and 安全文明生产; a spectator objects.
    entry = db.session.scalars(select(Entry).join(Result, Result.entry_id == Entry.id)
                               .where(Entry.event_id == event.id).order_by(Result.rank, Entry.bib)).all()[3]
    person = Contestant(contest_id=contest.id, name=entry.name, delegation_id=entry.delegation_id,
                        id_type="resident_id", id_number=APPELLANT_ID, reference=APPELLANT_REFERENCE,
                        source="organiser")
    db.session.add(person)
    db.session.flush()
    entry.contestant_id = person.id
    db.session.commit()
    file_appeal(contest, person, entry, criteria=["P1", "P2"], files=[],
                reasons="零件加工精度一项，本人工件外圆尺寸实测合格，与评分记录不符；安全文明生产扣分理由未告知本人。"
                        "请求调阅现场记录复核。")
    file_objection(contest_by_slug(SLUG), name="李明", phone="13911112222",
                   text="第一名选手所在单位与一名裁判同属一个系统，请核查是否存在应回避的情形。")
    return contest_by_slug(SLUG)
