"""Boards as audiences see them: freeze and reveal (as in ICPC scoreboards), the public and
jury views of a board, delegation standings and the organisers' judging progress."""
