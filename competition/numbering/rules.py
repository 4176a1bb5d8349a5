"""Bib numbers (参赛号) and secret draw codes (加密号) as pure rules: no Flask, no database.

A contest's `bib_pattern` names bibs: `{event}` is the event's code upper-cased, `{n}` the
running number within the event with a Python format spec (`{event}{n:03}` → AI001)."""
import random
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime

from ..collation import pinyin_key

#: How the organiser may order an event's entries before numbering them.
ORDERS = ("registration", "delegation", "random")
#: Draw-code characters: upper-case letters and digits, without the ones people misread
#: (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V).
DRAW_ALPHABET = "ACEFHJKMNPRTWXY3479"
DRAW_LENGTH = (3, 2, 8)  # default, min, max
MAX_BIB_LENGTH = 32  # Entry.bib's column


class PatternInvalid(ValueError):
    """A bib pattern that cannot number entries; the message says why (in English, for logs);
    `code` tells the page which translated message to show."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


def format_bib(pattern: str, event_code: str, n: int) -> str:
    """The bib for running number `n` of the event; PatternInvalid when the pattern is broken."""
    try:
        bib = pattern.format(event=event_code.upper(), n=n)
    except KeyError as error:
        raise PatternInvalid("pattern_unknown_field", str(error)) from None
    except (ValueError, IndexError, TypeError, AttributeError) as error:
        raise PatternInvalid("pattern_bad_format", str(error)) from None
    return bib


def check_pattern(pattern: str) -> None:
    """PatternInvalid unless the pattern numbers entries. Its `code`: "pattern_empty";
    "pattern_bad_format" (unmatched braces, or a format spec such as {n:x3});
    "pattern_unknown_field" (only {event} and {n}); "pattern_no_number" (without {n} every bib
    would be the same); "pattern_bad_character" (a space or a slash: bibs go into addresses and
    onto badges); "pattern_too_long" (longer than Entry.bib holds). A pattern without {event} is allowed (a contest of one event numbers 001, 002…);
    where two events would give the same bib, numbering reports the clash (plan_bibs)."""
    if not pattern or not pattern.strip():
        raise PatternInvalid("pattern_empty")
    fields = set()
    try:
        for _literal, name, _spec, _conversion in string.Formatter().parse(pattern):
            if name is not None:
                fields.add(name)
    except ValueError as error:
        raise PatternInvalid("pattern_bad_format", str(error)) from None
    unknown = fields - {"event", "n"}
    if unknown:
        raise PatternInvalid("pattern_unknown_field", ", ".join(sorted(unknown)))
    if "n" not in fields:
        raise PatternInvalid("pattern_no_number")
    first, second = format_bib(pattern, "x", 1), format_bib(pattern, "x", 2)
    if first == second:
        raise PatternInvalid("pattern_no_number")
    if any(c.isspace() for c in first) or "/" in first:
        raise PatternInvalid("pattern_bad_character")
    longest = max((format_bib(pattern, "E" * 8, n) for n in (1, 9999)), key=len)
    if len(longest) > MAX_BIB_LENGTH:
        raise PatternInvalid("pattern_too_long")


@dataclass(frozen=True)
class Numbered:
    """What numbering needs to know of an entry."""

    id: int
    name: str
    delegation: str = ""
    created_at: datetime | None = None
    bib: str | None = None


@dataclass(frozen=True)
class Clash:
    """A bib the plan would give that another entry of the contest already has."""

    bib: str
    entry_id: int
    holder_id: int


@dataclass
class BibPlan:
    """New bibs by entry id; `kept` entries keep theirs; `clashes` must be empty to apply."""

    bibs: dict[int, str] = field(default_factory=dict)
    kept: list[int] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)
    seed: int | None = None

    @property
    def is_clean(self) -> bool:
        return not self.clashes


def ordered(entries: list[Numbered], order: str, seed: int | None = None) -> list[Numbered]:
    """The entries in the organiser's chosen order: registration order (then id), delegation
    then name (by pinyin, as Chinese lists are read), or a shuffle that the same seed always
    reproduces."""
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    by_registration = sorted(entries, key=lambda e: (e.created_at is None, e.created_at or datetime.min, e.id))
    if order == "registration":
        return by_registration
    if order == "delegation":
        return sorted(by_registration, key=lambda e: (pinyin_key(e.delegation), pinyin_key(e.name), e.id))
    if seed is None:
        raise ValueError("a random order needs its seed")
    shuffled = sorted(entries, key=lambda e: e.id)
    random.Random(seed).shuffle(shuffled)
    return shuffled


def new_seed() -> int:
    return secrets.randbelow(10**9)


def plan_bibs(pattern: str, event_code: str, entries: list[Numbered], *, order: str = "registration",
              seed: int | None = None, renumber: bool = False, taken: dict[str, int] | None = None,
              reserved: set[str] = frozenset()) -> BibPlan:
    """Number an event's (approved) entries. Entries with a bib keep it unless `renumber`;
    the others get the next running numbers not already used in the event. `taken` maps the
    bibs held by the contest's other entries (other events, entries not renumbered) to their
    holder: a new bib found there is a clash, reported and never given. `reserved` bibs (held
    by the event's own entries that are not numbered, e.g. withdrawn ones) are skipped."""
    check_pattern(pattern)
    if order == "random" and seed is None:
        seed = new_seed()
    plan = BibPlan(seed=seed if order == "random" else None)
    taken = dict(taken or {})
    ids = {e.id for e in entries}
    # The bibs the event keeps, and the other entries' bibs in the contest.
    kept = {} if renumber else {e.bib: e.id for e in entries if e.bib}
    elsewhere = {bib: holder for bib, holder in taken.items() if holder not in ids}
    plan.kept = sorted(kept.values()) if not renumber else []
    n = 0
    for entry in ordered([e for e in entries if renumber or not e.bib], order, seed):
        while True:
            n += 1
            bib = format_bib(pattern, event_code, n)
            if bib not in kept and bib not in reserved and bib not in plan.bibs.values():
                break
        if len(bib) > MAX_BIB_LENGTH:
            raise PatternInvalid("pattern_too_long", bib)
        if bib in elsewhere:
            plan.clashes.append(Clash(bib, entry.id, elsewhere[bib]))
        plan.bibs[entry.id] = bib
    return plan


# --- draw codes -----------------------------------------------------------------------------

class DrawImpossible(ValueError):
    """Not enough distinct codes of that length for the entries to draw."""


def code_space(length: int, alphabet: str = DRAW_ALPHABET) -> int:
    return len(alphabet) ** length


def draw_codes(count: int, *, taken: set[str], length: int = DRAW_LENGTH[0], alphabet: str = DRAW_ALPHABET,
               choice=secrets.choice) -> list[str]:
    """`count` distinct codes of `length` characters, none in `taken`, each character drawn
    with `choice` (the secrets module's: unpredictable)."""
    low, high = DRAW_LENGTH[1], DRAW_LENGTH[2]
    if not low <= length <= high:
        raise ValueError(f"length must be {low}–{high}")
    free = code_space(length, alphabet) - len({t for t in taken if len(t) == length and set(t) <= set(alphabet)})
    # Drawing stays quick while at most half the codes are in use; beyond that, ask for longer codes.
    if count > free // 2:
        raise DrawImpossible(f"{count} codes of length {length} are too many")
    codes: list[str] = []
    seen = set(taken)
    while len(codes) < count:
        code = "".join(choice(alphabet) for _ in range(length))
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes
