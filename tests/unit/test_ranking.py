"""rank: standard competition ranking, tie-breaks, unranked entries and awards."""
from decimal import Decimal as D

import pytest
from hypothesis import given, settings, strategies as st

from competition.scoring import AwardRule, Placing, RuleError, Standing, rank, shift

PRIZES = (AwardRule("一等奖", count=1), AwardRule("二等奖", count=2), AwardRule("三等奖", count=3))


def standing(key, total, *, P=0, T=0, time=None, eligible=True) -> Standing:
    return Standing(key, None if total is None else D(str(total)), {"P": D(str(P)), "T": D(str(T))},
                    None if time is None else D(time), eligible)


def board(placings: list[Placing]) -> list[tuple]:
    return [(p.key, p.rank, p.award) for p in placings]


def ranks(placings: list[Placing]) -> dict:
    return {p.key: p.rank for p in placings}


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    placings = rank([standing("A", 90), standing("B", 80), standing("C", 80), standing("D", 70)])
    assert board(placings) == [("A", 1, None), ("B", 2, None), ("C", 2, None), ("D", 4, None)]


def test_totals_equal_in_value_but_not_in_digits_still_tie():
    assert ranks(rank([standing("A", "80.5"), standing("B", "80.50")])) == {"A": 1, "B": 1}


def test_the_tie_break_chain_is_applied_key_by_key():
    # Everyone but F has 80.00: shorter time first, then the practical, then the theory.
    standings = [
        standing("A", 80, time=5000, P=55, T=25),
        standing("B", 80, time=4800, P=50, T=30),  # fastest
        standing("C", 80, time=5000, P=56, T=24),  # same time as A, better practical
        standing("D", 80, time=5000, P=55, T=25),  # level with A on every key
        standing("E", 80, time=None, P=60, T=20),  # no time recorded: after every timed entry
        standing("F", 81, time=9000, P=40, T=41),  # the total comes first
        standing("G", 80, time=5000, P=55, T=26),  # as A, but better theory
    ]
    placings = rank(standings, tie_break=("-completion_time", "section:P", "section:T"))
    assert board(placings) == [("F", 1, None), ("B", 2, None), ("C", 3, None), ("G", 4, None),
                               ("A", 5, None), ("D", 5, None), ("E", 7, None)]


def test_without_tie_break_keys_equal_totals_share_the_rank():
    standings = [standing("A", 80, time=5000), standing("B", 80, time=4000)]
    assert ranks(rank(standings)) == {"A": 1, "B": 1}


def test_a_section_tie_break_puts_the_higher_section_first():
    standings = [standing("A", 80, P=50), standing("B", 80, P=60)]
    assert board(rank(standings, tie_break=["section:P"])) == [("B", 1, None), ("A", 2, None)]


def test_entries_sharing_a_rank_are_listed_by_key():
    placings = rank([standing("C", 80), standing("A", 80), standing("B", 80)])
    assert [p.key for p in placings] == ["A", "B", "C"]


def test_entries_without_marks_are_unranked_and_listed_last_by_key():
    standings = [standing("Z", None), standing("B", 70), standing("Y", None), standing("A", 60)]
    assert board(rank(standings, awards=PRIZES)) == [
        ("B", 1, "一等奖"), ("A", 2, "二等奖"), ("Y", None, None), ("Z", None, None)]


def test_no_standings_give_an_empty_board():
    assert rank([], awards=PRIZES) == []


def test_awards_by_count_go_by_running_count():
    standings = [standing(k, t) for k, t in zip("ABCDEFG", [90, 80, 70, 60, 50, 40, 30])]
    assert [p.award for p in rank(standings, awards=PRIZES)] == [
        "一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖", None]


def test_entries_sharing_a_rank_on_an_award_boundary_share_the_better_award():
    # ranks 1, 2, 3, 3: running counts 1, 3, 6, so both thirds are within 3 and get 二等奖
    standings = [standing(k, t) for k, t in zip("ABCDEF", [90, 80, 70, 70, 60, 50])]
    assert board(rank(standings, awards=PRIZES)) == [
        ("A", 1, "一等奖"), ("B", 2, "二等奖"), ("C", 3, "二等奖"), ("D", 3, "二等奖"),
        ("E", 5, "三等奖"), ("F", 6, "三等奖")]


def test_a_tie_for_first_gives_both_the_first_award():
    placings = rank([standing("A", 90), standing("B", 90), standing("C", 80)], awards=PRIZES)
    assert board(placings) == [("A", 1, "一等奖"), ("B", 1, "一等奖"), ("C", 3, "二等奖")]


def test_awards_by_share_of_the_ranked_field():
    shares = (AwardRule("一等奖", share=D(10)), AwardRule("二等奖", share=D(20)),
              AwardRule("三等奖", share=D(30)))
    standings = [standing(f"S{i:02}", 100 - i) for i in range(10)] + [standing("X", None)]
    awards = [p.award for p in rank(standings, awards=shares)]
    # 10 ranked: counts 1, 2, 3; the unranked entry is not part of the field
    assert awards == ["一等奖"] + ["二等奖"] * 2 + ["三等奖"] * 3 + [None] * 5


def test_a_share_rounds_half_up_to_whole_places():
    assert AwardRule("一等奖", share=D(10)).count_for(15) == 2  # 1.5
    assert AwardRule("一等奖", share=D(10)).count_for(14) == 1  # 1.4
    assert AwardRule("一等奖", share=D(10)).count_for(4) == 0


def test_an_ineligible_entry_keeps_its_rank_but_gets_no_award_and_nobody_moves_up():
    standings = [standing("A", 90, eligible=False), standing("B", 80), standing("C", 70)]
    assert board(rank(standings, awards=PRIZES)) == [
        ("A", 1, None), ("B", 2, "二等奖"), ("C", 3, "二等奖")]


def test_two_standings_with_the_same_key_are_refused():
    with pytest.raises(RuleError):
        rank([standing("A", 90), standing("A", 80)])


@pytest.mark.parametrize("key", ["completion_time", "section:", "total", "section:X"])
def test_a_tie_break_key_that_is_malformed_or_names_a_missing_section_is_refused(key):
    with pytest.raises(RuleError):
        rank([standing("A", 90), standing("B", 90)], tie_break=[key])


standings_strategy = st.lists(
    st.tuples(st.sampled_from([None, "70", "80", "80.00", "90"]), st.sampled_from([0, 1]),
              st.sampled_from([None, 100, 200]), st.booleans()),
    max_size=12,
).map(lambda rows: [standing(f"E{i:02}", total, P=p, time=time, eligible=eligible)
                    for i, (total, p, time, eligible) in enumerate(rows)])
tie_breaks = st.lists(st.sampled_from(["section:P", "section:T", "-completion_time"]), unique=True)
award_rules = st.sampled_from([(), PRIZES, (AwardRule("金", share=D(15)), AwardRule("银", count=2))])


@settings(max_examples=200)
@given(standings_strategy, st.randoms(use_true_random=False), tie_breaks, award_rules)
def test_the_result_does_not_depend_on_the_order_of_the_standings(standings, random, tie_break,
                                                                   awards):
    shuffled = standings[:]
    random.shuffle(shuffled)
    first = rank(standings, tie_break, awards)
    assert rank(shuffled, tie_break, awards) == first  # the board order too, not just the ranks


@settings(max_examples=200)
@given(standings_strategy, tie_breaks)
def test_ranks_are_standard_competition_ranks(standings, tie_break):
    placings = rank(standings, tie_break)
    ranked = [p.rank for p in placings if p.rank is not None]
    assert ranked == sorted(ranked)
    assert len(ranked) == sum(s.total is not None for s in standings)
    for r in set(ranked):
        assert r >= 1
        assert sum(x < r for x in ranked) == r - 1  # the rank counts everyone strictly ahead
        assert sum(x <= r for x in ranked) >= r
    assert [p.rank for p in placings[len(ranked):]] == [None] * (len(placings) - len(ranked))


@settings(max_examples=200)
@given(standings_strategy, tie_breaks)
def test_a_higher_total_never_gets_a_worse_rank(standings, tie_break):
    by_key = {s.key: s for s in standings}
    placings = [p for p in rank(standings, tie_break) if p.rank is not None]
    for a in placings:
        for b in placings:
            if by_key[a.key].total > by_key[b.key].total:
                assert a.rank < b.rank


@settings(max_examples=200)
@given(standings_strategy, award_rules)
def test_entries_sharing_a_rank_share_the_award_unless_ineligible(standings, awards):
    by_key = {s.key: s for s in standings}
    by_rank = {}
    for p in rank(standings, awards=awards):
        if p.rank is None:
            assert p.award is None
        elif not by_key[p.key].eligible:
            assert p.award is None
        else:
            assert by_rank.setdefault(p.rank, p.award) == p.award


@settings(max_examples=300)
@given(standings_strategy, tie_breaks, award_rules, st.data())
def test_a_window_of_totals_ranked_alone_gets_the_boards_placings(standings, tie_break, awards, data):
    """What results.update_event relies on to rank only the entries a mark can move."""
    totals = sorted({s.total for s in standings if s.total is not None})
    if not totals:
        return
    lo = data.draw(st.sampled_from(totals))
    hi = data.draw(st.sampled_from([t for t in totals if t >= lo]))
    whole = {p.key: p for p in rank(standings, tie_break, awards)}
    window = [s for s in standings if s.total is not None and lo <= s.total <= hi]
    above = sum(s.total is not None and s.total > hi for s in standings)
    field = sum(s.total is not None for s in standings)
    for placing in rank(window, tie_break, awards, above=above, field=field):
        assert placing == whole[placing.key]


@settings(max_examples=300)
@given(standings_strategy, tie_breaks, award_rules, st.data())
def test_the_entries_a_mover_passes_move_one_place_and_take_their_new_places_awards(standings, tie_break,
                                                                                   awards, data):
    """What results.recompute relies on to move the entries between a mover's old and new
    totals without ranking them: whatever the ties and tie-breaks among them."""
    ranked = [s for s in standings if s.total is not None]
    if not ranked:
        return
    mover = data.draw(st.sampled_from(ranked))
    new_total = data.draw(st.sampled_from([D(t) for t in ("60", "70", "75", "80", "85", "90", "95")]))
    after_standings = [s._replace(total=new_total) if s.key == mover.key else s for s in standings]
    before = {p.key: p for p in rank(standings, tie_break, awards)}
    after = {p.key: p for p in rank(after_standings, tie_break, awards)}
    lo, hi = min(mover.total, new_total), max(mover.total, new_total)
    passed = [s for s in ranked if lo < s.total < hi]
    if new_total == mover.total:
        assert not passed
        return
    by = 1 if new_total > mover.total else -1
    placings = shift([(s.key, before[s.key].rank, s.eligible) for s in passed], by, awards, field=len(ranked))
    assert placings == [after[s.key] for s in passed]


def test_a_shift_is_one_place_either_way():
    assert shift([("a", 3, True), ("b", 3, False), ("c", 5, True)], 1, PRIZES, field=9) == [
        Placing("a", 4, "三等奖"), Placing("b", 4, None), Placing("c", 6, "三等奖")]
    assert shift([("a", 2, True)], -1, PRIZES, field=9) == [Placing("a", 1, "一等奖")]
    with pytest.raises(RuleError):
        shift([("a", 3, True)], 2, PRIZES, field=9)
