"""The tablet view's rules: connected or not, one judge's two tablets on one entry, and what
a User-Agent says of the tablet."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from competition.judging.tablets import device_label, is_connected, twins

NOW = datetime(2026, 12, 7, 9, 30)


@dataclass
class T:
    judge_id: int
    entry_id: int | None
    last_seen: datetime


def test_a_tablet_is_connected_until_it_misses_three_reports():
    assert is_connected(NOW - timedelta(seconds=45), NOW)
    assert not is_connected(NOW - timedelta(seconds=46), NOW)
    assert is_connected(NOW - timedelta(seconds=3), NOW, report_seconds=1)
    assert not is_connected(NOW - timedelta(seconds=4), NOW, report_seconds=1)


def test_two_tablets_of_one_judge_on_one_entry_are_twins_only_while_both_are_recent():
    recent, old = NOW - timedelta(seconds=30), NOW - timedelta(minutes=3)
    assert twins([T(1, 7, recent), T(1, 7, recent), T(2, 7, recent)], NOW) == {(1, 7)}
    assert twins([T(1, 7, recent), T(1, 7, old)], NOW) == set()          # one was put away
    assert twins([T(1, 7, recent), T(1, 8, recent)], NOW) == set()       # two entries
    assert twins([T(1, 7, recent), T(2, 7, recent)], NOW) == set()       # two judges on one entry: normal
    assert twins([T(1, None, recent), T(1, None, recent)], NOW) == set()  # both on a list, no entry


def test_a_device_label_names_system_and_browser():
    assert device_label("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/120.0 Safari/537.36") == "Android · Chrome"
    assert device_label("Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                        "Version/17.1 Mobile/15E148 Safari/604.1") == "iPad · Safari"
    assert device_label("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36 "
                        "Edg/120.0") == "Windows · Edge"
    assert device_label("") == ""
