"""The balanced assignment rule (judges.assigning.balance_judges) as a pure function, on
generated panels, delegations, conflicts of interest, numbers of judges needed and marks given
already: the hard rules (no conflicted judge, kept markers, min(needed, eligible) judges,
shortfalls reported, determinism) and exactly the balance its docstring promises."""
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from competition.judges.assigning import balance_judges, pick_judges

CRITERIA = ("A", "B", "C")


@st.composite
def events(draw, *, conflicts=True, existing=True, subsets=True, max_entries=12, max_judges=6):
    """An event: entries (id, delegation), a panel (judge, delegation) in order, the criteria
    each judge marks, the judges needed per criterion and who marked what already."""
    delegations = draw(st.integers(1, 4))
    n_judges = draw(st.integers(0, max_judges))
    panel = [f"j{i}" for i in draw(st.permutations(range(n_judges)))]
    of = {judge: (draw(st.integers(0, delegations)) if conflicts else None) for judge in panel}  # 0: none
    entries = list(range(draw(st.integers(0, max_entries))))
    delegation = {entry: draw(st.integers(1, delegations)) for entry in entries}
    criteria = {c: draw(st.integers(0, 4)) for c in CRITERIA[:draw(st.integers(1, len(CRITERIA)))]}
    marks_of = {judge: (set(draw(st.sets(st.sampled_from(list(criteria))))) or set(criteria)) if subsets
                else set(criteria) for judge in panel}
    marked = {}
    if existing and panel:
        # Marks given already: by panel judges (even conflicted or off-criterion: the past) and
        # by a judge no longer on the panel.
        for entry in entries:
            for c in criteria:
                who = draw(st.lists(st.sampled_from(panel + ["gone"]), unique=True, max_size=2))
                if who:
                    marked[entry, c] = who
    return dict(entries=entries, panel=panel, criteria=criteria,
                conflict=lambda judge, entry: of.get(judge) == delegation[entry],
                marks=lambda judge, c: c in marks_of[judge], marked=marked)


def run(event):
    return balance_judges(event["entries"], event["panel"], event["criteria"], conflict=event["conflict"],
                          marks=event["marks"], marked=event["marked"])


def eligible(event, entry, c):
    kept = event["marked"].get((entry, c), [])
    return [j for j in event["panel"] if event["marks"](j, c) and not event["conflict"](j, entry) and j not in kept]


def loads(result, c):
    return result.counts[c]


# (a) no conflicts, nothing marked yet: the counts of a criterion differ by at most one

@given(events(conflicts=False, existing=False))
def test_without_conflicts_or_marks_counts_differ_by_at_most_one(event):
    result = run(event)
    for c in event["criteria"]:
        counts = [n for judge, n in loads(result, c).items() if event["marks"](judge, c)]
        if counts:
            assert max(counts) - min(counts) <= 1, (c, loads(result, c))


def test_the_issue_312_against_8_is_gone():
    panel = [f"j{i}" for i in range(8)]
    result = balance_judges(range(320), panel, {"A": 3, "B": 1}, conflict=lambda j, e: False)
    assert sorted(result.counts["A"].values()) == [120] * 8
    assert sorted(result.counts["B"].values()) == [40] * 8


# (b) with conflicts and marks: the local balance, and the chains, exactly as stated

@given(events())
def test_no_judge_gets_a_mark_while_an_eligible_one_has_two_fewer(event):
    result = run(event)
    for (entry, c), chosen in result.chosen.items():
        kept = set(event["marked"].get((entry, c), []))
        count = loads(result, c)
        for judge in chosen:
            if judge in kept:
                continue
            for other in eligible(event, entry, c):
                if other not in chosen:
                    assert count[judge] <= count[other] + 1, (entry, c, judge, other, count)


@given(events())
def test_no_chain_moves_a_mark_to_a_judge_with_two_fewer(event):
    result = run(event)
    for c in event["criteria"]:
        count = loads(result, c)
        # j -> k when j freely holds an entry k is eligible for and not chosen for.
        step = {j: set() for j in count}
        for entry in event["entries"]:
            chosen = result.chosen[entry, c]
            kept = set(event["marked"].get((entry, c), []))
            for j in chosen:
                if j not in kept:
                    step[j] |= {k for k in eligible(event, entry, c) if k not in chosen}
        for j in step:
            seen, todo = {j}, [j]
            while todo:
                for k in step[todo.pop()]:
                    if k not in seen:
                        seen.add(k)
                        todo.append(k)
            assert all(count[j] <= count[k] + 1 for k in seen), (c, j, count)


def _all_valid(event, c):
    """Every choice keeping the hard rules, as counts per judge (small events only)."""
    needed = event["criteria"][c]
    options = []
    for entry in event["entries"]:
        kept = list(event["marked"].get((entry, c), []))
        free = eligible(event, entry, c)
        places = max(0, min(needed - len(kept), len(free)))
        options.append([kept + list(pick) for pick in itertools.combinations(free, places)])
    for choice in itertools.product(*options):
        counts = {}
        for chosen in choice:
            for judge in chosen:
                counts[judge] = counts.get(judge, 0) + 1
        yield counts


@settings(max_examples=60)
@given(events(max_entries=4, max_judges=4))
def test_the_sum_of_squares_and_the_largest_count_are_the_least_possible(event):
    result = run(event)
    for c in event["criteria"]:
        got = [n for n in loads(result, c).values()]
        best_squares = min((sum(n * n for n in counts.values()) for counts in _all_valid(event, c)), default=0)
        best_max = min((max(counts.values(), default=0) for counts in _all_valid(event, c)), default=0)
        assert sum(n * n for n in got) == best_squares
        assert max(got, default=0) == best_max


def test_one_judge_alone_eligible_takes_those_and_the_shared_ones_go_elsewhere():
    # Y may mark only e1; greedy would hand e1 to X (panel order) and then X gets all.
    result = balance_judges(["e1", "e2", "e3", "e4"], ["X", "Y"], {"A": 1},
                            conflict=lambda j, e: j == "Y" and e != "e1")
    assert result.chosen["e1", "A"] == ["Y"] and result.counts["A"] == {"X": 3, "Y": 1}
    assert result.conflicts["e2", "A"] == ["Y"] and not result.short


# (c) never a conflicted judge, never one who does not mark the criterion

@given(events())
def test_no_conflicted_or_non_marking_judge_is_assigned(event):
    result = run(event)
    for (entry, c), chosen in result.chosen.items():
        kept = event["marked"].get((entry, c), [])
        for judge in chosen:
            if judge not in kept:
                assert not event["conflict"](judge, entry) and event["marks"](judge, c)
        assert result.conflicts[entry, c] == [j for j in event["panel"] if event["marks"](j, c)
                                              and j not in kept and event["conflict"](j, entry)]


# (d) min(needed, eligible) judges, and every shortfall reported with its entry and criterion

@given(events())
def test_every_criterion_gets_its_judges_or_the_shortfall_is_reported(event):
    result = run(event)
    expected_short = []
    for entry in event["entries"]:
        for c, needed in event["criteria"].items():
            chosen = result.chosen[entry, c]
            kept = event["marked"].get((entry, c), [])
            assert len(chosen) == len(set(chosen))
            assert len(chosen) == max(len(kept), min(needed, len(kept) + len(eligible(event, entry, c))))
            if len(chosen) < needed:
                expected_short.append((entry, c, len(chosen), needed))
    assert result.short == expected_short
    for c in event["criteria"]:
        for judge, n in result.counts[c].items():
            assert n == sum(judge in result.chosen[entry, c] for entry in event["entries"])


# (e) whoever marked keeps the assignment, and it counts

@given(events())
def test_existing_markers_are_kept(event):
    result = run(event)
    for (entry, c), who in event["marked"].items():
        assert result.chosen[entry, c][:len(who)] == who


def test_existing_marks_count_toward_the_load():
    marked = {(e, "A"): ["X"] for e in range(4)}
    result = balance_judges(range(8), ["X", "Y"], {"A": 1}, conflict=lambda j, e: False, marked=marked)
    assert result.counts["A"] == {"X": 4, "Y": 4}
    assert all(result.chosen[e, "A"] == ["Y"] for e in range(4, 8))


# (f) determinism, and the single-entry rule agrees

@given(events())
def test_same_input_same_output(event):
    first, second = run(event), run(event)
    assert first == second
    assert list(first.chosen) == list(second.chosen)


def test_ties_go_by_panel_order():
    result = balance_judges(["e1"], ["j3", "j1", "j2"], {"A": 2}, conflict=lambda j, e: False)
    assert result.chosen["e1", "A"] == ["j3", "j1"]


@given(events(max_entries=1))
def test_one_entry_alone_is_pick_judges(event):
    result = run(event)
    for entry in event["entries"]:
        for c, needed in event["criteria"].items():
            pick = pick_judges(event["panel"], needed, marked=event["marked"].get((entry, c), []),
                               conflict=lambda judge: event["conflict"](judge, entry),
                               marks=lambda judge: event["marks"](judge, c))
            assert result.chosen[entry, c] == pick.chosen
            assert result.conflicts[entry, c] == pick.conflicts


def test_a_supervising_seat_gets_nothing():
    result = balance_judges(range(5), ["chief", "j1", "j2"], {"A": 2}, conflict=lambda j, e: False,
                            marks=lambda j, c: j != "chief")
    assert "chief" not in result.counts["A"]
    assert all("chief" not in chosen for chosen in result.chosen.values())
