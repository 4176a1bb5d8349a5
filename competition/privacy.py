"""Masks for personal data shown to organisers: ID numbers and phone numbers keep their ends
(1101**********123X, 138****5678), so a person can be told apart without the whole value
being on the screen. Pure functions: the full value is revealed only by an audited action."""

MASK = "*"


def _mask(value: str, head: int, tail: int) -> str:
    hidden = len(value) - head - tail
    if hidden < 1:  # too short to keep both ends and still hide something
        head, tail = (1, 1) if len(value) > 2 else (0, 0)
        hidden = len(value) - head - tail
    return value[:head] + MASK * hidden + (value[len(value) - tail:] if tail else "")


def mask_id_number(value: str | None) -> str:
    """An identity number with its first four and last four characters (18-digit resident ID:
    10 hidden); shorter numbers such as passports keep less."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 12:
        return _mask(value, 4, 4)
    keep = max(1, len(value) // 4)
    return _mask(value, keep, keep)


def mask_phone(value: str | None) -> str:
    """A phone number with its first three and last four digits (138****5678); the + of an
    international prefix and separators are kept where they are."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    if len(digits) >= 9:
        head, tail = 3, 4
    else:
        head = tail = max(1, len(digits) // 4) if len(digits) > 2 else 0
    hidden = set(digits[head:len(digits) - tail])
    if not hidden:
        hidden = set(digits)
    return "".join(MASK if i in hidden else c for i, c in enumerate(value))


def mask_email(value: str | None) -> str:
    """An e-mail address with its first character and its domain (z***@example.cn)."""
    value = (value or "").strip()
    if "@" not in value:
        return _mask(value, 1, 0) if value else ""
    local, domain = value.split("@", 1)
    return local[:1] + MASK * 3 + "@" + domain
