"""Small guards shared by the views."""
from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """A redirect target only when it stays on this site (no scheme, no host, no //host)."""
    if not target:
        return None
    target = target.strip()
    # Browsers treat backslashes as slashes and ignore tabs/newlines inside URLs.
    if "\\" in target or any(c in target for c in "\r\n\t") or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
