"""An uploaded spreadsheet (an entrant list, a judges' list) waits in the instance folder between
its preview and the organiser's confirmation, under a random name. Its metadata ties it to what
kind of list it is, the contest and the organiser who uploaded it: nobody else can open it, and
a judges' list cannot be confirmed as an entrant list. Abandoned uploads are forgotten after a day."""
import json
import re
import secrets
import time
from pathlib import Path

from flask import current_app

from .entries.importing import read_table

_TOKEN = re.compile(r"[0-9a-f]{32}")
MAX_AGE = 24 * 3600


def _folder() -> Path:
    path = Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def accept(kind: str, contest, user, upload, **meta) -> str:
    """Keep an uploaded file (a werkzeug FileStorage) that reads as a table, and return its token;
    UnreadableFile (nothing kept) when it does not."""
    filename, content = upload.filename or "", upload.read()
    read_table(filename, content)
    folder = _folder()
    for old in folder.glob("*.json"):
        if time.time() - old.stat().st_mtime > MAX_AGE:
            old.with_suffix(".bin").unlink(missing_ok=True)
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / f"{token}.bin").write_bytes(content)
    (folder / f"{token}.json").write_text(json.dumps(
        {**meta, "kind": kind, "contest_id": contest.id, "user_id": user.id, "filename": filename},
        ensure_ascii=False), encoding="utf-8")
    return token


def load(kind: str, contest, user, token: str) -> tuple[dict, list[list[str]]] | None:
    """The stored upload's metadata and table, only for its kind, contest and organiser."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        content = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if (meta.get("kind"), meta.get("contest_id"), meta.get("user_id")) != (kind, contest.id, user.id):
        return None
    try:
        return meta, read_table(meta.get("filename", ""), content)
    except ValueError:  # UnreadableFile: it read when it was uploaded, so the file was changed
        return None


def discard(token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        folder = _folder()
        (folder / f"{token}.bin").unlink(missing_ok=True)
        (folder / f"{token}.json").unlink(missing_ok=True)


PREVIEW_PAGE = 100  # rows (or problems) on one page of a preview


def preview_page(items: list, page: int | None) -> tuple[list, int, int]:
    """One page of a preview's rows or problems: (those items, the page, how many pages)."""
    pages = max(1, -(-len(items) // PREVIEW_PAGE))
    page = min(max(page or 1, 1), pages)
    return items[(page - 1) * PREVIEW_PAGE:page * PREVIEW_PAGE], page, pages
