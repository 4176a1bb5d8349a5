"""Codes people read out and type from paper (registration references, appeal and objection
references, certificate numbers): random, from an alphabet without look-alikes (no 0/O, 1/I/L)."""
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
