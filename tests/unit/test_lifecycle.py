"""The contest's life as pure rules: which status changes are allowed and why not, when
registration and marking are open, and which bib patterns number entries."""
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from competition.contests.lifecycle import (ContestFacts, Refusal, announce_refusals, is_marking_open, needs_reason,
                                           next_statuses, registration_closed_reason, transition_refusals)
from competition.contests.models import CONTEST_STATUSES

READY = ContestFacts(events=("ai", "iot"))
#: Announced, the windows closed, every objection and appeal ruled: ready to publish.
RULED = ContestFacts(events=("ai", "iot"), is_announced=True)


def codes(refusals):
    return [r.code for r in refusals]


@pytest.mark.parametrize("current,target", [
    ("draft", "registration"), ("registration", "judging"), ("judging", "finished"), ("finished", "published"),
    ("registration", "draft"), ("judging", "registration"), ("finished", "judging"), ("published", "finished"),
])
def test_one_step_forward_or_back_is_allowed_for_a_ready_contest(current, target):
    ready = RULED if target == "published" else READY
    assert transition_refusals(current, target, ready) == []


@pytest.mark.parametrize("current", CONTEST_STATUSES)
@pytest.mark.parametrize("target", CONTEST_STATUSES)
def test_anything_but_one_step_is_refused(current, target):
    if target in next_statuses(current):
        return
    assert codes(transition_refusals(current, target, READY)) == ["not_adjacent"]


def test_publishing_is_only_from_finished():
    for current in ("draft", "registration", "judging"):
        assert codes(transition_refusals(current, "published", RULED)) == ["not_adjacent"]
    assert transition_refusals("finished", "published", RULED) == []


def test_judging_ends_only_with_every_event_signed_off_and_says_which_and_why():
    """DESIGN.md §2: `finished` needs every event signed off."""
    unsigned = ContestFacts(events=("ai", "iot"), events_not_signed_off=(("工业互联网", 12),))
    assert transition_refusals("judging", "finished", unsigned) == [
        Refusal("event_not_signed_off", {"event": "工业互联网", "num": 12})]
    # Going back needs no sign-off: reopening judging is how an event is corrected.
    assert transition_refusals("finished", "judging", unsigned) == []


def test_publishing_waits_for_the_announcement_the_window_and_every_ruling():
    assert codes(transition_refusals("finished", "published", READY)) == ["not_announced"]
    waiting = ContestFacts(events=("ai",), is_announced=True, window_open_until="2026-12-09 17:00",
                           objections_pending=1, appeals_pending=2)
    assert transition_refusals("finished", "published", waiting) == [
        Refusal("window_open", {"until": "2026-12-09 17:00"}), Refusal("objections_pending", {"num": 1}),
        Refusal("appeals_pending", {"num": 2})]
    # Withdrawing a publication is always possible (with a reason, asked by the service).
    assert transition_refusals("published", "finished", waiting) == []


def test_announced_results_do_not_go_back_to_judging():
    assert codes(transition_refusals("finished", "judging", RULED)) == ["results_announced"]


def test_announcing_needs_a_finished_contest_once():
    assert announce_refusals("finished", READY) == []
    assert codes(announce_refusals("judging", READY)) == ["announce_needs_finished"]
    assert codes(announce_refusals("finished", RULED)) == ["already_announced"]
    assert codes(announce_refusals("finished", ContestFacts(is_archived=True))) == ["archived"]


def test_a_withdrawal_is_said_why():
    assert needs_reason("published", "finished")
    assert not needs_reason("finished", "judging")


def test_unknown_statuses_are_refused():
    assert codes(transition_refusals("draft", "open", READY)) == ["unknown_status"]
    assert codes(transition_refusals("closed", "draft", READY)) == ["unknown_status"]


def test_registration_needs_an_event():
    assert codes(transition_refusals("draft", "registration", ContestFacts())) == ["no_events"]


def test_judging_needs_every_event_to_have_a_scorable_scheme():
    facts = ContestFacts(events=("ai", "iot", "cad"), events_without_criteria=("iot",),
                         events_with_invalid_scheme=("cad",))
    assert transition_refusals("registration", "judging", facts) == [
        Refusal("no_criteria", {"events": ["iot"]}), Refusal("invalid_scheme", {"events": ["cad"]})]
    assert codes(transition_refusals("registration", "judging", ContestFacts())) == ["no_events"]
    # Reopening judging from finished does not re-check: the scheme is frozen by its marks.
    assert transition_refusals("finished", "judging", facts) == []


def test_judging_goes_back_to_registration_only_before_any_mark():
    assert codes(transition_refusals("judging", "registration", ContestFacts(events=("ai",), has_marks=True))) == [
        "marks_exist"]
    assert transition_refusals("judging", "finished", ContestFacts(events=("ai",), has_marks=True)) == []


def test_an_archived_contest_does_not_change_status():
    archived = ContestFacts(events=("ai",), is_archived=True)
    assert codes(transition_refusals("draft", "registration", archived)) == ["archived"]


def test_next_statuses_forward_first():
    assert next_statuses("draft") == ["registration"]
    assert next_statuses("judging") == ["finished", "registration"]
    assert next_statuses("published") == ["finished"]


NOW = datetime(2026, 4, 20, 10, 0)


def contest(status="registration", archived_at=None):
    return SimpleNamespace(status=status, archived_at=archived_at)


def event(deadline=None, capacity=None, statuses=()):
    return SimpleNamespace(registration_deadline=deadline, capacity=capacity,
                           entries=[SimpleNamespace(status=s) for s in statuses])


def is_registration_open(*args, **kwargs) -> bool:
    return registration_closed_reason(*args, **kwargs) is None


def test_registration_is_open_while_the_contest_takes_registrations():
    assert is_registration_open(contest(), event(), NOW)
    for status in ("draft", "judging", "finished", "published"):
        assert registration_closed_reason(contest(status), event(), NOW) == "closed"
    assert registration_closed_reason(contest(archived_at=NOW), event(), NOW) == "closed"


def test_registration_closes_at_the_events_deadline():
    assert is_registration_open(contest(), event(deadline=NOW + timedelta(seconds=1)), NOW)
    assert registration_closed_reason(contest(), event(deadline=NOW), NOW) == "deadline"
    assert registration_closed_reason(contest(), event(deadline=NOW - timedelta(days=1)), NOW) == "deadline"


def test_registration_closes_when_the_event_is_full():
    # Rejected and withdrawn entries free their place.
    assert is_registration_open(contest(), event(capacity=2, statuses=("approved", "rejected", "withdrawn")), NOW)
    assert registration_closed_reason(contest(), event(capacity=2, statuses=("approved", "pending")), NOW) == "full"
    assert registration_closed_reason(contest(), event(capacity=0), NOW) == "full"
    assert is_registration_open(contest(), event(capacity=2, statuses=("approved",) * 5), NOW, taken=1)
    assert registration_closed_reason(contest(), event(capacity=2), NOW, taken=2) == "full"


def test_marking_is_open_only_while_judging():
    assert is_marking_open(contest("judging"))
    assert not is_marking_open(contest("judging", archived_at=NOW))
    for status in ("draft", "registration", "finished", "published"):
        assert not is_marking_open(contest(status))
