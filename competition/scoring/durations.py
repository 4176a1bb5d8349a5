"""Completion times, as an organiser types them from a stopwatch or a judge's sheet: seconds
("754", "754.5") or hours:minutes:seconds ("0:12:34", "12:34", "12:34.5"), full-width digits
and the Chinese colon (１２：３４) too. Stored as seconds (a Decimal, at most 3 decimals), the
completion-time tie-break compares them. Pure functions."""
import re
import unicodedata
from decimal import Decimal, InvalidOperation

MAX_SECONDS = Decimal(24 * 3600)  # a contest's task is done within the day
_CLOCK = re.compile(r"(?:(\d{1,2}):)?(\d{1,2}):(\d{1,2}(?:\.\d{1,3})?)")
_SECONDS = re.compile(r"\d{1,6}(?:\.\d{1,3})?")


class InvalidDuration(ValueError):
    """A time that is not one: `code` is "duration_shape", "duration_clock" or "duration_too_long"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse_duration(text: str | None) -> Decimal | None:
    """The seconds a typed time means; None for nothing typed. InvalidDuration otherwise."""
    typed = unicodedata.normalize("NFKC", text or "").replace("：", ":").strip()
    if not typed:
        return None
    clock = _CLOCK.fullmatch(typed)
    try:
        if clock:
            hours, minutes, seconds = int(clock.group(1) or 0), int(clock.group(2)), Decimal(clock.group(3))
            if seconds >= 60 or (clock.group(1) is not None and minutes >= 60):
                raise InvalidDuration("duration_clock")
            value = hours * 3600 + minutes * 60 + seconds
        elif _SECONDS.fullmatch(typed):
            value = Decimal(typed)
        else:
            raise InvalidDuration("duration_shape")
    except InvalidOperation:
        raise InvalidDuration("duration_shape") from None
    if value > MAX_SECONDS:
        raise InvalidDuration("duration_too_long")
    return value


def format_duration(seconds: Decimal | None) -> str:
    """"1:02:03", "12:34" or "12:34.5": how a time reads; "" for none."""
    if seconds is None:
        return ""
    whole = int(seconds)
    fraction = seconds - whole
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    tail = f"{secs:02d}" + (str(fraction.normalize())[1:] if fraction else "")
    return f"{hours}:{minutes:02d}:{tail}" if hours else f"{minutes:02d}:{tail}"
