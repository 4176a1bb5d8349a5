"""Small guards shared by the views: where a redirect may go."""
from urllib.parse import urlsplit

from flask import request


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


def same_site_path(url: str | None) -> str | None:
    """The path (with its query) of a URL of this very site, such as a Referer; else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc != request.host:
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def back_target(default: str) -> str:
    """Where a posted form goes back to: its `next` field, else the page it was sent from
    (the Referer, when on this site), else `default`."""
    return safe_next(request.form.get("next")) or same_site_path(request.referrer) or default
