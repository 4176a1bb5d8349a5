"""promoted: the promotion list (晋升名单) among the ranked entries that passed every pass mark —
a count or a share of them rounded half up, the best ranked first, ties at the cut-off in."""
from decimal import ROUND_HALF_UP, Decimal as D

from hypothesis import given, settings, strategies as st

from competition.scoring import AwardRule, promoted


def by_count(n: int) -> AwardRule:
    return AwardRule("技师", count=n)


def by_share(share: str) -> AwardRule:
    return AwardRule("技师", share=D(share))


def field(n: int, passed: bool = True) -> list[tuple]:
    """n entries E01… ranked 1…n, all passed (or all not)."""
    return [(f"E{i:02}", i, passed) for i in range(1, n + 1)]


def test_a_count_promotes_that_many_best_ranked_first():
    assert promoted(field(5), by_count(3)) == ["E01", "E02", "E03"]
    assert promoted(field(5), by_count(1)) == ["E01"]


def test_the_list_is_in_rank_order_whatever_the_order_given():
    placings = [("C", 3, True), ("A", 1, True), ("D", 4, True), ("B", 2, True)]
    assert promoted(placings, by_count(3)) == ["A", "B", "C"]


def test_a_share_is_of_the_entries_that_passed_rounded_half_up():
    assert promoted(field(10), by_share("20")) == ["E01", "E02"]  # 2 exactly
    assert promoted(field(15), by_share("10")) == ["E01", "E02"]  # 1.5 → 2
    assert promoted(field(14), by_share("10")) == ["E01"]  # 1.4 → 1
    # Half up, not to even: 2.5 → 3 and 0.5 → 1 (banker's rounding would give 2 and 0).
    assert promoted(field(25), by_share("10")) == ["E01", "E02", "E03"]
    assert promoted(field(5), by_share("10")) == ["E01"]
    assert promoted(field(8), by_share("12.5")) == ["E01"]  # 1 exactly, a fractional share


def test_a_share_that_rounds_to_nobody_promotes_nobody():
    assert promoted(field(4), by_share("10")) == []  # 0.4 → 0


def test_entries_sharing_the_rank_of_the_last_promoted_are_promoted_too():
    placings = [("A", 1, True), ("B", 2, True), ("C", 2, True), ("D", 4, True), ("E", 5, True)]
    assert promoted(placings, by_count(2)) == ["A", "B", "C"]
    assert promoted(placings, by_count(3)) == ["A", "B", "C"]
    assert promoted(placings, by_count(4)) == ["A", "B", "C", "D"]
    tie_for_first = [("A", 1, True), ("B", 1, True), ("C", 1, True), ("D", 4, True)]
    assert promoted(tie_for_first, by_count(1)) == ["A", "B", "C"]


def test_a_tie_below_the_cut_off_is_not_promoted():
    placings = [("A", 1, True), ("B", 2, True), ("C", 3, True), ("D", 3, True)]
    assert promoted(placings, by_count(2)) == ["A", "B"]


def test_entries_that_failed_a_pass_mark_are_skipped_and_nobody_below_them_is_held_back():
    placings = [("A", 1, False), ("B", 2, True), ("C", 3, True), ("D", 4, False), ("E", 5, True)]
    assert promoted(placings, by_count(2)) == ["B", "C"]
    assert promoted(placings, by_count(3)) == ["B", "C", "E"]


def test_entries_that_failed_are_not_counted_in_the_share():
    # 3 of 5 passed: 50 % of 3 is 1.5 → 2. Counting all 5 would give 2.5 → 3 (and E).
    placings = [("A", 1, False), ("B", 2, True), ("C", 3, True), ("D", 4, False), ("E", 5, True)]
    assert promoted(placings, by_share("50")) == ["B", "C"]
    # 1 of 4 passed: 40 % of 1 is 0.4 → 0; of all 4 it would be 1.6 → 2.
    assert promoted([("A", 1, True), ("B", 2, False), ("C", 3, False), ("D", 4, False)], by_share("40")) == []


def test_a_failed_entry_tied_with_the_last_promoted_is_not_promoted():
    placings = [("A", 1, True), ("B", 2, True), ("C", 2, False), ("D", 4, True)]
    assert promoted(placings, by_count(2)) == ["A", "B"]


def test_unranked_entries_are_skipped_and_not_counted_in_the_share():
    placings = [("X", None, True), ("A", 1, True), ("Y", None, True), ("B", 2, True)]
    assert promoted(placings, by_count(5)) == ["A", "B"]
    # 2 ranked passed: 50 % is 1; counting the unranked (4) it would be 2.
    assert promoted(placings, by_share("50")) == ["A"]


def test_a_count_larger_than_the_field_promotes_everyone_who_passed():
    placings = [("A", 1, True), ("B", 2, False), ("C", 3, True), ("D", None, True)]
    assert promoted(placings, by_count(10)) == ["A", "C"]
    assert promoted(field(3), by_share("100")) == ["E01", "E02", "E03"]


def test_nobody_to_promote():
    assert promoted([], by_count(3)) == []
    assert promoted([], by_share("50")) == []
    assert promoted(field(3, passed=False), by_count(3)) == []
    assert promoted([("A", None, True)], by_count(1)) == []


# --- properties --------------------------------------------------------------------------------

def competition_ranks(totals: list[int | None]) -> list[int | None]:
    """Standard competition ranks (1, 2, 2, 4) of the totals, None for none."""
    ranked = [t for t in totals if t is not None]
    return [None if t is None else 1 + sum(other > t for other in ranked) for t in totals]


boards = st.lists(st.tuples(st.sampled_from([None, 60, 70, 70, 80, 90]), st.booleans()), max_size=16).map(
    lambda rows: [(f"E{i:02}", place, ok) for i, (place, (_total, ok)) in
                  enumerate(zip(competition_ranks([t for t, _ in rows]), rows))])
rules = st.one_of(st.integers(1, 20).map(by_count),
                  st.sampled_from(["5", "10", "12.5", "20", "25", "33.3", "50", "66.7", "100"]).map(by_share))


def reference(placings: list[tuple], rule: AwardRule) -> set:
    """The rule said again: the passed ranked keys whose rank is at most the k-th's."""
    ranks = sorted(place for _key, place, ok in placings if place is not None and ok)
    n = len(ranks)
    if rule.count is not None:
        k = rule.count
    else:
        k = int((rule.share * n / 100).quantize(D(1), rounding=ROUND_HALF_UP))
    k = min(k, n)
    if k == 0:
        return set()
    return {key for key, place, ok in placings if place is not None and ok and place <= ranks[k - 1]}


@settings(max_examples=300)
@given(boards, rules, st.randoms(use_true_random=False))
def test_the_list_is_the_passed_entries_down_to_the_kth_ones_rank_in_rank_order(placings, rule, random):
    random.shuffle(placings)
    result = promoted(placings, rule)
    assert len(result) == len(set(result))
    assert set(result) == reference(placings, rule)
    rank_of = {key: place for key, place, _ok in placings}
    assert [rank_of[key] for key in result] == sorted(rank_of[key] for key in result)


@settings(max_examples=200)
@given(boards, st.integers(1, 20))
def test_a_larger_count_never_drops_anyone(placings, count):
    assert set(promoted(placings, by_count(count))) <= set(promoted(placings, by_count(count + 1)))
