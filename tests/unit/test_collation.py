"""Chinese ordering (competition/collation.py): names and delegations by pinyin, heteronyms read
in their phrase, bibs naturally."""
from hypothesis import given
from hypothesis import strategies as st

from competition.collation import natural_key, pinyin_key


def test_delegations_sort_by_pinyin_not_code_point():
    names = ["亦庄开发区工会", "京东方工会", "北京电力公司工会", "朝阳区总工会", "首钢集团工会"]
    assert sorted(names) != sorted(names, key=pinyin_key)  # code point would put 亦 first
    assert sorted(names, key=pinyin_key) == ["北京电力公司工会", "朝阳区总工会", "京东方工会", "首钢集团工会",
                                             "亦庄开发区工会"]


def test_heteronyms_are_read_in_their_phrase():
    assert sorted(["重庆市总工会", "长安街道工会", "朝阳区总工会"], key=pinyin_key) == [
        "长安街道工会", "朝阳区总工会", "重庆市总工会"]  # chang'an, chaoyang, chongqing


def test_latin_and_rare_characters_have_a_place():
    assert sorted(["𠈌记", "ABC公司", "阿里"], key=pinyin_key) == ["阿里", "ABC公司", "𠈌记"]


def test_bibs_sort_naturally():
    assert sorted(["A10", "A2", "B1", "A1", None, "IOT-12", "IOT-3"], key=natural_key) == [
        "A1", "A2", "A10", "B1", "IOT-3", "IOT-12", None]


@given(st.lists(st.integers(min_value=0, max_value=10_000), unique=True))
def test_numbered_bibs_sort_by_their_number(numbers):
    assert sorted((f"AI{n}" for n in numbers), key=natural_key) == [f"AI{n}" for n in sorted(numbers)]


@given(st.lists(st.text(max_size=6)))
def test_the_pinyin_order_is_total_and_stable(names):
    ordered = sorted(names, key=pinyin_key)
    assert sorted(ordered, key=pinyin_key) == ordered and sorted(ordered) == sorted(names)
