"""The rules of the chief judge's tablet view, pure: whether a tablet is connected now, and
which judges have two tablets open on the same entry."""
from collections import defaultdict
from datetime import datetime, timedelta

#: A tablet reports every REPORT_SECONDS while it is online (outbox.js); one silent for three
#: reports is offline.
REPORT_SECONDS = 15
#: Two tablets of one judge count as open on the same entry when both reported it this recently.
TWIN_WINDOW = timedelta(minutes=2)


def is_connected(last_seen: datetime, now: datetime, report_seconds: int = REPORT_SECONDS) -> bool:
    return now - last_seen <= timedelta(seconds=3 * report_seconds)


def twins(tablets, now: datetime) -> set[tuple[int, int]]:
    """(judge id, entry id) for every entry that one judge has open on two tablets or more.
    `tablets`: anything with judge_id, entry_id and last_seen."""
    open_on: dict[tuple[int, int], int] = defaultdict(int)
    for tablet in tablets:
        if tablet.entry_id is not None and now - tablet.last_seen <= TWIN_WINDOW:
            open_on[tablet.judge_id, tablet.entry_id] += 1
    return {key for key, count in open_on.items() if count > 1}


_SYSTEMS = (("iPad", "iPad"), ("iPhone", "iPhone"), ("HarmonyOS", "HarmonyOS"), ("Android", "Android"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))
_BROWSERS = (("HuaweiBrowser", "Huawei Browser"), ("MiuiBrowser", "MIUI Browser"), ("Edg/", "Edge"),
             ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))


def device_label(agent: str) -> str:
    """What a chief judge recognises a tablet by: its system and browser ("Android · Chrome"),
    read from the browser's User-Agent (first match wins: Chrome's names Safari too)."""
    system = next((name for token, name in _SYSTEMS if token in agent), "")
    browser = next((name for token, name in _BROWSERS if token in agent), "")
    return " · ".join(part for part in (system, browser) if part)
