"""What a serving process asks of the operating system, shared by `python -m competition` and
the bench's bare server so that both run alike. Imports nothing but the standard library: it
runs before gevent has patched it, or right after."""
import resource


def raise_open_files_limit() -> None:
    """Every spectator is an open socket (two under gevent's server, which simple-websocket
    duplicates): a final's thousands need more than the usual soft limit of 1,024 files, so
    take what the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))
        except (ValueError, OSError):
            pass
