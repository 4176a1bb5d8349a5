"""Bib numbering, draw codes and the assignment rule as pure functions."""
import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition.numbering import rules as numbering
from competition.judges.assigning import pick_judges
from competition.numbering.rules import Numbered, PatternInvalid, check_pattern, format_bib, plan_bibs

T0 = datetime(2026, 5, 1, 9, 0)


def entries(*specs):
    """(id, name, delegation, minutes after T0, bib)"""
    return [Numbered(id=i, name=n, delegation=d, created_at=T0 + timedelta(minutes=m), bib=b)
            for i, n, d, m, b in specs]


def test_format_bib_upper_cases_the_event_and_pads_the_number():
    assert format_bib("{event}{n:03}", "ai", 1) == "AI001"
    assert format_bib("{event}-{n}", "iot", 42) == "IOT-42"
    assert format_bib("{n:04d}", "ai", 7) == "0007"


def test_patterns_that_number_entries_pass():
    # Without {event} too: a contest of one event numbers 001, 002…; clashes between events
    # are numbering's to report.
    for pattern in ("{event}{n:03}", "{event}-{n}", "S{n:04}{event}", "{event}{n:0>4}", "{n:03}", "A{n:03}"):
        check_pattern(pattern)


@pytest.mark.parametrize("pattern, code", [
    ("", "pattern_empty"), ("   ", "pattern_empty"), ("{event}", "pattern_no_number"), ("A001", "pattern_no_number"),
    ("{event}{m:03}", "pattern_unknown_field"), ("{event}{n:03", "pattern_bad_format"), ("{event}{n:zz}", "pattern_bad_format"),
    ("{event", "pattern_bad_format"), ("{event}}{n}", "pattern_bad_format"), ("{event}{n:x3}", "pattern_bad_format"),
    ("{event}{n:s}", "pattern_bad_format"), ("{event} {n}", "pattern_bad_character"), ("{event}/{n}", "pattern_bad_character"),
    ("{event}{n:>4}", "pattern_bad_character"),  # padded with spaces
    ("{0}{n}", "pattern_unknown_field"), ("{event}{0}", "pattern_unknown_field"),
    ("{event}" + "x" * 30 + "{n}", "pattern_too_long"),
])
def test_broken_patterns_are_refused_with_a_reason(pattern, code):
    with pytest.raises(PatternInvalid) as refused:
        check_pattern(pattern)
    assert refused.value.code == code


def test_registration_order_numbers_by_when_they_registered():
    es = entries((1, "乙", "B", 5, None), (2, "甲", "A", 1, None), (3, "丙", "A", 3, None))
    plan = plan_bibs("{event}{n:03}", "ai", es, order="registration")
    assert plan.bibs == {2: "AI001", 3: "AI002", 1: "AI003"}
    assert plan.is_clean and plan.seed is None


def test_delegation_order_numbers_by_delegation_then_name():
    es = entries((1, "张三", "B工会", 0, None), (2, "李四", "A工会", 1, None), (3, "王五", "A工会", 2, None))
    plan = plan_bibs("{event}{n:02}", "ai", es, order="delegation")
    assert [plan.bibs[i] for i in (2, 3, 1)] == sorted(plan.bibs.values())
    assert plan.bibs[1] == "AI03"


def test_random_order_is_reproduced_by_its_seed_and_records_it():
    es = entries(*[(i, f"p{i}", "", i, None) for i in range(1, 30)])
    first = plan_bibs("{event}{n:03}", "ai", es, order="random", seed=1234)
    again = plan_bibs("{event}{n:03}", "ai", list(reversed(es)), order="random", seed=1234)
    assert first.bibs == again.bibs and first.seed == 1234
    drawn = plan_bibs("{event}{n:03}", "ai", es, order="random")
    assert drawn.seed is not None
    assert plan_bibs("{event}{n:03}", "ai", es, order="random", seed=drawn.seed).bibs == drawn.bibs
    assert first.bibs != plan_bibs("{event}{n:03}", "ai", es, order="random", seed=4321).bibs


def test_entries_with_a_bib_keep_it_and_new_ones_skip_the_numbers_in_use():
    es = entries((1, "a", "", 0, "AI002"), (2, "b", "", 1, None), (3, "c", "", 2, None))
    plan = plan_bibs("{event}{n:03}", "ai", es)
    assert plan.bibs == {2: "AI001", 3: "AI003"}
    assert plan.kept == [1]


def test_renumbering_numbers_every_entry_again():
    es = entries((1, "a", "", 0, "AI009"), (2, "b", "", 1, "AI001"))
    plan = plan_bibs("{event}{n:03}", "ai", es, renumber=True, taken={"AI009": 1, "AI001": 2})
    assert plan.bibs == {1: "AI001", 2: "AI002"} and plan.is_clean


def test_a_bib_held_in_another_event_is_a_clash():
    # Without {event} in the pattern, two events number alike.
    es = entries((1, "a", "", 0, None), (2, "b", "", 1, None))
    plan = plan_bibs("{n:03}", "ai", es, taken={"001": 77})
    assert not plan.is_clean
    assert plan.clashes == [numbering.Clash("001", 1, 77)]
    assert plan.bibs == {1: "001", 2: "002"}


def test_too_long_bibs_are_refused():
    with pytest.raises(PatternInvalid) as refused:
        plan_bibs("{event}{n:040}", "ai", entries((1, "a", "", 0, None)))
    assert refused.value.code == "pattern_too_long"


@given(st.lists(st.one_of(st.none(), st.sampled_from([f"AI{n:03}" for n in range(1, 15)])), min_size=0,
                max_size=12, unique_by=lambda b: b or object()),
       st.sampled_from(numbering.ORDERS), st.booleans(), st.integers(0, 10**6))
def test_bibs_are_always_unique_and_kept_ones_never_change(bibs, order, renumber, seed):
    es = [Numbered(id=i + 1, name=f"p{i}", delegation=str(i % 3), created_at=T0, bib=b) for i, b in enumerate(bibs)]
    plan = plan_bibs("{event}{n:03}", "ai", es, order=order, seed=seed, renumber=renumber)
    final = {e.id: e.bib for e in es if not renumber and e.bib}
    final.update(plan.bibs)
    assert set(final) == {e.id for e in es}
    assert len(set(final.values())) == len(final)
    if not renumber:
        assert all(final[e.id] == e.bib for e in es if e.bib)


# --- draw codes -------------------------------------------------------------------------------

def test_draw_codes_are_unique_unambiguous_and_avoid_taken_ones():
    codes = numbering.draw_codes(200, taken={"ACE"}, length=3)
    assert len(set(codes)) == 200 and "ACE" not in codes
    assert all(len(c) == 3 and set(c) <= set(numbering.DRAW_ALPHABET) for c in codes)
    assert not set("0O1IL2Z5S8B") & set(numbering.DRAW_ALPHABET)


def test_draw_codes_use_the_given_chooser():
    sequence = iter("AAAACEAAA")
    codes = numbering.draw_codes(2, taken=set(), length=3, choice=lambda alphabet: next(sequence))
    assert codes == ["AAA", "ACE"]  # the repeated AAA is drawn again


def test_too_many_codes_for_the_length_are_refused():
    with pytest.raises(numbering.DrawImpossible):
        numbering.draw_codes(numbering.code_space(2) // 2 + 1, taken=set(), length=2)
    with pytest.raises(ValueError):
        numbering.draw_codes(1, taken=set(), length=1)


def test_draw_codes_are_drawn_with_secrets_by_default():
    import inspect
    import secrets
    assert inspect.signature(numbering.draw_codes).parameters["choice"].default is secrets.choice


# --- the assignment rule -----------------------------------------------------------------------

def test_pick_takes_the_panel_in_order_and_skips_conflicts():
    panel = ["j1", "j2", "j3", "j4"]
    pick = pick_judges(panel, 2, conflict=lambda j: j == "j1")
    assert pick.chosen == ["j2", "j3"] and pick.conflicts == ["j1"] and pick.missing == 0


def test_pick_reports_conflicts_after_enough_judges_and_what_is_missing():
    pick = pick_judges(["j1", "j2", "j3"], 1, conflict=lambda j: j == "j3")
    assert pick.chosen == ["j1"] and pick.conflicts == ["j3"]
    short = pick_judges(["j1", "j2"], 3, conflict=lambda j: j == "j2")
    assert short.chosen == ["j1"] and short.missing == 2


def test_pick_keeps_judges_who_marked_and_honours_their_criteria():
    pick = pick_judges(["j1", "j2", "j3"], 2, marked=["j3"], conflict=lambda j: False, marks=lambda j: j != "j1")
    assert pick.chosen == ["j3", "j2"]


@given(st.lists(st.integers(0, 20), unique=True, max_size=8), st.integers(1, 6), st.sets(st.integers(0, 20)))
def test_pick_never_chooses_a_conflicted_judge_nor_too_many(panel, needed, conflicted):
    pick = pick_judges(panel, needed, conflict=lambda j: j in conflicted)
    assert not set(pick.chosen) & conflicted
    assert len(pick.chosen) == min(needed, len([j for j in panel if j not in conflicted]))
    assert pick.missing == needed - len(pick.chosen)
    assert set(pick.conflicts) == set(panel) & conflicted


def test_random_is_only_used_seeded():
    # ordered() never touches the global random state.
    state = random.getstate()
    numbering.ordered(entries((1, "a", "", 0, None)), "random", seed=5)
    assert random.getstate() == state


def test_numbers_reserved_in_the_event_are_skipped_not_clashes():
    es = entries((1, "a", "", 0, None), (2, "b", "", 1, None))
    plan = plan_bibs("{event}{n:03}", "ai", es, taken={"AI001": 9}, reserved={"AI001"})
    assert plan.bibs == {1: "AI002", 2: "AI003"} and plan.is_clean
