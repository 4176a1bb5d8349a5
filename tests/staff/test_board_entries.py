"""Entries the organiser numbers reach their event's board before any mark, with the progress
their assignments call for, and leave it (with a patch for live clients) when withdrawn."""


from ..factory import SLUG, ai_entries, judge_named


def board(client) -> dict:
    response = client.get(f"/api/v1/contests/{SLUG}/events/ai/board")
    assert response.status_code == 200
    return {row["entry"]: row for row in response.get_json()["rows"]}


def test_numbered_entries_are_on_the_board_with_their_expected_marks(organiser, patches):
    assert board(organiser) == {}
    organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration"})
    rows = board(organiser)
    assert sorted(rows) == ["AI001", "AI002", "AI003"]  # the approved ones; 李四 is pending
    assert {row["name"] for row in rows.values()} == {"孙三", "钱二", "赵一"}
    assert all(row["rank"] is None and row["progress"] == [0, 0] for row in rows.values())
    assert [sorted(row["entry"] for row in p.upsert) for p in patches] == [["AI001", "AI002", "AI003"]]

    k1, k2 = judge_named("k1"), judge_named("k2")
    organiser.post(f"/o/c/{SLUG}/judges/panels/ai", data={
        "seat": [str(k1.id), str(k2.id)], f"position-{k1.id}": "1", f"position-{k2.id}": "2"})
    organiser.post(f"/o/c/{SLUG}/judges/panels/ai/assign")
    # A1 takes two judges, A2 one: three marks expected of every entry.
    assert {tuple(row["progress"]) for row in board(organiser).values()} == {(0, 3)}


def test_a_withdrawn_entry_leaves_the_board(organiser, patches):
    organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration"})
    zhao = ai_entries()["赵一"]
    bib = zhao.bib
    response = organiser.post(f"/o/c/{SLUG}/entries/{zhao.id}/withdraw", data={"reason": "本人放弃"})
    assert response.status_code == 302
    assert bib not in board(organiser) and len(board(organiser)) == 2
    assert patches[-1].remove == [bib]
