"""Free text as the app keeps it: every piece has a length bound, and none carries the
bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) that would reorder the text
around a name on a board or a certificate. Pure functions."""
import re

# The explicit embeddings, overrides and isolates, and the invisible direction marks.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")

# The bounds of what people type where no field says otherwise.
TEXT_MAX = 2000  # any free text (a description, a note)
REASON_MAX = 500  # a reason recorded with an action (a correction, an unlock, a rename …)


def strip_bidi(value: str | None) -> str | None:
    """The text without bidirectional control characters; None stays None."""
    return _BIDI.sub("", value) if isinstance(value, str) else value
