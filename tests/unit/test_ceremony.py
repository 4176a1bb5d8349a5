"""The reveal plan (competition/scoring/ceremony.py): bottom up, unranked rows with the first
step, one ranked row per step or award by award ending with the winner; every plan strictly
increasing and ending with the whole board, for any board."""
from hypothesis import given
from hypothesis import strategies as st

from competition.scoring.ceremony import REVEAL_MODES, reveal_plan

AWARDS = ["一等奖", "二等奖", "三等奖"]


def board(counts: list[int], plain: int, unranked: int) -> list[tuple]:
    """Rows best first: counts[i] entries of AWARDS[i], then `plain` ranked without an award,
    then `unranked` rows with no rank."""
    rows, rank = [], 1
    for award, count in zip(AWARDS, counts):
        rows += [(rank + i, award) for i in range(count)]
        rank += count
    rows += [(rank + i, None) for i in range(plain)]
    return rows + [(None, None)] * unranked


def test_the_classic_reveal_skips_what_has_no_rank():
    rows = board([1, 2, 3], 4, 94)  # 104 entries, 10 ranked
    assert reveal_plan(rows, "one") == [95 + i for i in range(10)]


def test_by_award_the_rest_go_first_then_each_award_from_the_lowest_up():
    rows = board([1, 2, 3], 4, 94)
    assert reveal_plan(rows, "award") == [98, 99, 100, 101, 102, 103, 104]
    assert reveal_plan(rows, "award_group") == [98, 101, 103, 104]
    # The last step is the winner alone.
    assert reveal_plan(board([1, 2, 3], 0, 0), "award")[-2:] == [5, 6]


def test_ties_stay_in_their_award_and_an_empty_board_has_no_step():
    rows = [(1, "一等奖"), (1, "一等奖"), (3, "二等奖"), (4, None)]
    assert reveal_plan(rows, "award_group") == [1, 2, 4]
    assert reveal_plan([], "award") == [] and reveal_plan([(None, None)] * 3, "one") == [3]


@given(st.lists(st.integers(0, 4), min_size=3, max_size=3), st.integers(0, 6), st.integers(0, 6),
       st.sampled_from(REVEAL_MODES))
def test_every_plan_rises_to_the_whole_board_and_a_step_stays_in_one_award(counts, plain, unranked, mode):
    rows = board(counts, plain, unranked)
    plan = reveal_plan(rows, mode)
    if not rows:
        assert plan == []
        return
    assert plan == sorted(set(plan)) and plan[-1] == len(rows) and plan[0] >= min(unranked + 1, len(rows))
    before = unranked
    for done in plan:
        revealed = rows[len(rows) - done:len(rows) - before]
        ranked = [award for rank, award in revealed if rank is not None]
        assert len(set(ranked)) <= 1  # one award (or none) per step
        if mode == "one":
            assert len(ranked) == 1 or not any(r for r, _a in rows)
        before = done
