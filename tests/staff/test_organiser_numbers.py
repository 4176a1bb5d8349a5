"""The bibs & draw codes page: numbering by the contest's pattern in the organiser's order,
keeping bibs unless renumbered before marking, clashes reported, draw codes drawn and redrawn
until marking starts, every write audited."""
import pytest
from sqlalchemy import select

from competition.audit.models import AuditEntry
from competition.entries.models import Entry
from competition.contests.models import contest_by_slug, event_by_code
from competition.extensions import db

from ..factory import SLUG, ai_entries


def audit(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_the_page_lists_every_event_and_its_entries(organiser):
    page = organiser.get(f"/o/c/{SLUG}/numbers")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "人工智能训练师" in html and "工业互联网运维员" in html
    assert "S01" in html and "赵一" in html
    assert "IOT001" in html  # the first bib the pattern gives in the first event
    assert 'aria-current="page"' in html


def test_bibs_in_registration_order_only_for_approved_entries(organiser):
    response = organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration"})
    assert response.status_code == 302
    entries = ai_entries()
    # Created 10, 9, 8, 7 minutes after nine: 孙三 registered first of the approved ones.
    assert entries["孙三"].bib == "AI001" and entries["钱二"].bib == "AI002" and entries["赵一"].bib == "AI003"
    assert entries["李四"].bib is None  # pending: no bib
    [entry] = audit("entry.bibs_assigned")
    assert entry.data["numbered"] == 3 and entry.data["order"] == "registration"


def test_delegation_order_and_bibs_kept_on_a_second_run(organiser):
    organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "delegation"})
    entries = ai_entries()
    assert entries["钱二"].bib == "AI001"  # 北汽集团工会 (bei) before 京东方工会 (jing): by pinyin
    assert entries["孙三"].bib == "AI002" and entries["赵一"].bib == "AI003"  # 京东方工会: 孙 (sun) before 赵 (zhao)
    # 李四 is approved later: gets the next number, the others keep theirs.
    li = entries["李四"]
    li.status = "approved"
    db.session.commit()
    organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration"})
    entries = ai_entries()
    assert entries["李四"].bib == "AI004" and entries["钱二"].bib == "AI001"


def test_random_order_records_its_seed(organiser):
    response = organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "random", "bibs-ai-seed": "42"},
                              follow_redirects=True)
    assert "42" in response.get_data(as_text=True)
    [entry] = audit("entry.bibs_assigned")
    assert entry.data["seed"] == 42
    first = {n: e.bib for n, e in ai_entries().items()}
    organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs",
                   data={"bibs-ai-order": "random", "bibs-ai-seed": "42", "bibs-ai-renumber": "y"})
    assert {n: e.bib for n, e in ai_entries().items()} == first


def test_renumbering_is_refused_once_marking_started(organiser):
    # iot has marks: its bibs stay.
    response = organiser.post(f"/o/c/{SLUG}/numbers/iot/bibs",
                              data={"bibs-iot-order": "delegation", "bibs-iot-renumber": "y"})
    assert response.status_code == 409
    assert "can no longer be renumbered" in response.get_data(as_text=True)
    bibs = set(db.session.scalars(select(Entry.bib).where(Entry.event_id == event_by_code(contest_by_slug(SLUG), "iot").id)))
    assert bibs == {"S01", "S02", "S03", "S04"}
    assert not audit("entry.bibs_assigned")


def test_clashes_across_events_are_reported_and_nothing_is_written(organiser, contest):
    # A pattern without {event} whose numbers another event already uses.
    organiser.post(f"/o/c/{SLUG}/numbers/pattern", data={"pattern": "S{n:02}"})
    assert contest_by_slug(SLUG).bib_pattern == "S{n:02}"
    response = organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "S01" in html and "选手1" in html and "孙三" in html  # which bib, for whom, held by whom
    assert all(e.bib is None for e in ai_entries().values())
    # Choosing the form again keeps what the organiser chose.
    assert 'value="registration" selected' in html or 'selected value="registration"' in html


@pytest.mark.parametrize("pattern", ["{event}", "{event}{x}", "{n", "A {n}", ""])
def test_a_broken_pattern_is_refused_and_kept_in_the_form(organiser, pattern):
    response = organiser.post(f"/o/c/{SLUG}/numbers/pattern", data={"pattern": pattern})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    if pattern:
        assert f'value="{pattern}"' in html
    assert contest_by_slug(SLUG).bib_pattern == "{event}{n:03}"


@pytest.mark.parametrize("data", [{"bibs-ai-order": "alphabetical"}, {"bibs-ai-order": "random", "bibs-ai-seed": "abc"},
                                  {"bibs-ai-order": "random", "bibs-ai-seed": "-4"}])
def test_bad_bib_form_input_is_refused(organiser, data):
    response = organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data=data)
    assert response.status_code == 422
    assert all(e.bib is None for e in ai_entries().values())


def test_draw_codes_for_approved_entries_unique_and_audited(organiser):
    response = organiser.post(f"/o/c/{SLUG}/numbers/ai/codes", data={"codes-ai-length": "4"})
    assert response.status_code == 302
    entries = ai_entries()
    codes = [e.draw_code for e in entries.values() if e.status == "approved"]
    assert len(codes) == 3 and len(set(codes)) == 3 and all(len(c) == 4 for c in codes)
    assert entries["李四"].draw_code is None
    [entry] = audit("entry.draw_codes_drawn")
    assert entry.data == {"drawn": 3, "length": 4, "redraw": False}
    assert not any(code in str(entry.data) for code in codes)  # the log does not carry the secrets
    # Again without redraw: nothing new to draw, codes stay.
    organiser.post(f"/o/c/{SLUG}/numbers/ai/codes", data={"codes-ai-length": "4"})
    assert [e.draw_code for e in ai_entries().values() if e.status == "approved"] == codes
    # Redraw before marking: all change (4 characters: a repeat of all three is practically impossible).
    organiser.post(f"/o/c/{SLUG}/numbers/ai/codes", data={"codes-ai-length": "5", "codes-ai-redraw": "y"})
    redrawn = [e.draw_code for e in ai_entries().values() if e.status == "approved"]
    assert all(len(c) == 5 for c in redrawn)
    assert len(audit("entry.draw_codes_drawn")) == 3


def test_redrawing_is_refused_once_marking_started(organiser):
    iot = event_by_code(contest_by_slug(SLUG), "iot")
    before = {e.id: e.draw_code for e in db.session.scalars(select(Entry).where(Entry.event_id == iot.id))}
    response = organiser.post(f"/o/c/{SLUG}/numbers/iot/codes", data={"codes-iot-length": "3", "codes-iot-redraw": "y"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "can no longer be redrawn" in html
    db.session.expire_all()
    assert {e.id: e.draw_code for e in db.session.scalars(select(Entry).where(Entry.event_id == iot.id))} == before
    # Entries still without a code may get one: that is no redraw.
    assert organiser.post(f"/o/c/{SLUG}/numbers/iot/codes", data={"codes-iot-length": "3"}).status_code == 302
    db.session.expire_all()
    assert all(db.session.scalars(select(Entry.draw_code).where(Entry.event_id == iot.id)))


@pytest.mark.parametrize("length", ["1", "9", "x", ""])
def test_bad_code_lengths_are_refused(organiser, length):
    response = organiser.post(f"/o/c/{SLUG}/numbers/ai/codes", data={"codes-ai-length": length})
    assert response.status_code == 422
    assert f'value="{length}"' in response.get_data(as_text=True) or not length
    assert all(e.draw_code is None for e in ai_entries().values())


def test_unknown_event_is_404(organiser):
    assert organiser.post(f"/o/c/{SLUG}/numbers/nope/bibs", data={"bibs-nope-order": "registration"}).status_code == 404
    assert organiser.post(f"/o/c/{SLUG}/numbers/nope/codes", data={}).status_code == 404


def test_a_withdrawn_entrys_bib_is_skipped(organiser):
    organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration"})
    entries = ai_entries()
    entries["钱二"].status = "withdrawn"  # keeps AI002
    entries["李四"].status = "approved"
    db.session.commit()
    assert organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration"}).status_code == 302
    entries = ai_entries()
    assert entries["李四"].bib == "AI004" and entries["钱二"].bib == "AI002"
    response = organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration",
                                                                    "bibs-ai-renumber": "y"})
    assert response.status_code == 302
    entries = ai_entries()
    assert sorted(e.bib for e in entries.values() if e.status == "approved") == ["AI001", "AI003", "AI004"]


def test_renumbering_moves_open_boards_to_the_new_bibs(organiser):
    # A spectator's board keyed by bib, before and after renumbering: applying the patch to
    # what it showed gives exactly the new snapshot, with no row left under an old bib.
    from competition.boards.results import board_changed, snapshot

    organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration"})
    event = event_by_code(contest_by_slug(SLUG), "ai")
    shown = snapshot(event)
    assert {r["entry"]: r["name"] for r in shown["rows"]} == {"AI001": "孙三", "AI002": "钱二", "AI003": "赵一"}
    patches = []

    def seen(sender=None, *, patch, **_):
        patches.append(patch.as_dict())
    board_changed.connect(seen)
    try:
        response = organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs",
                                  data={"bibs-ai-order": "delegation", "bibs-ai-renumber": "y"})
    finally:
        board_changed.disconnect(seen)
    assert response.status_code == 302
    [patch] = patches
    assert patch["base"] == shown["seq"]
    rows = {r["entry"]: r for r in shown["rows"]}
    for bib in patch["remove"]:
        rows.pop(bib)
    for row in patch["upsert"]:
        rows[row["entry"]] = row
    db.session.expire_all()
    now = snapshot(event_by_code(contest_by_slug(SLUG), "ai"))
    assert now["seq"] == patch["seq"]
    assert rows == {r["entry"]: r for r in now["rows"]}
    assert {bib: r["name"] for bib, r in rows.items()} == {"AI001": "钱二", "AI002": "孙三", "AI003": "赵一"}
