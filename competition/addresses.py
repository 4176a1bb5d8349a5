"""The address phones use: what QR codes, login links and prints carry. An administrator's
setting (/admin/settings) wins over the PUBLIC_URL of the configuration, which wins over the
address the request came to; a loopback address there is one no phone can reach."""
import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

from .extensions import db

PUBLIC_URL_KEY = "public_url"


def configured_public_url() -> str | None:
    """The public address set in the app or the configuration, or None."""
    from .admin.models import PlatformSetting
    setting = db.session.get(PlatformSetting, PUBLIC_URL_KEY)
    return (setting.value if setting is not None and setting.value else current_app.config.get("PUBLIC_URL")) or None


def public_base() -> str:
    """The public address without a trailing slash: configured, else this request's host."""
    base = configured_public_url()
    if not base and has_request_context():
        base = request.host_url
    return (base or "http://localhost").rstrip("/")


def public_url(path: str) -> str:
    return public_base() + path


def is_loopback(url: str) -> bool:
    """Whether a phone on the venue Wi-Fi cannot reach this address (localhost, 127.x, ::1, 0.0.0.0)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def lan_address() -> str | None:
    """This machine's address on its local network (the one its default route leaves from), or
    None. No packet is sent: connecting a UDP socket only chooses the route."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback else address
