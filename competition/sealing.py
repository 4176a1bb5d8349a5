"""Resident ID numbers at rest: the database holds them sealed (Fernet: AES-128-CBC with an
HMAC-SHA256, a fresh IV each time), so a copied database file or a backup shows none of them.
Finding a number again (is this person registered already?) uses a keyed hash, the blind
index, since the same number never seals to the same text twice; the last four characters,
which every masked view shows anyway, stay plain for the organisers' search and the status
lookup.

Keys come from the configuration (ID_NUMBER_KEYS, newest first: a number is sealed with the
first and opened with any, so keys can be rotated; ID_INDEX_KEY for the index). `flask
id-numbers-reseal` seals every number again with the newest key and recomputes the index, after
either key changed (docs/deploy.md)."""
import hashlib
import hmac

from cryptography.fernet import InvalidToken, MultiFernet, Fernet
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


class UnreadableIdNumber(RuntimeError):
    """A sealed number none of the configured keys opens: ID_NUMBER_KEYS lacks its key."""


def _sealer() -> MultiFernet:
    keys = tuple(current_app.config["ID_NUMBER_KEYS"])
    cached = current_app.extensions.get("id_sealer")
    if cached is None or cached[0] != keys:
        cached = (keys, MultiFernet([Fernet(k) for k in keys]))
        current_app.extensions["id_sealer"] = cached
    return cached[1]


def seal(number: str) -> str:
    return _sealer().encrypt(number.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _sealer().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise UnreadableIdNumber("an ID number is sealed with a key ID_NUMBER_KEYS does not hold") from None


def reseal(sealed: str) -> str:
    """The same number sealed with the newest key."""
    try:
        return _sealer().rotate(sealed.encode()).decode()
    except InvalidToken:
        raise UnreadableIdNumber("an ID number is sealed with a key ID_NUMBER_KEYS does not hold") from None


def blind_index(id_type: str | None, number: str) -> str:
    """The keyed hash (HMAC-SHA256, hex) that finds the document `number` of `id_type` again."""
    key = current_app.config["ID_INDEX_KEY"].encode()
    return hmac.new(key, f"{id_type or ''}\x1f{number}".encode(), hashlib.sha256).hexdigest()


class SealedText(TypeDecorator):
    """A column whose text is stored sealed and read back open. It cannot be compared in SQL
    (the sealed text differs every time): query by the blind index instead."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else seal(value)

    def process_result_value(self, value, dialect):
        return None if value is None else unseal(value)
