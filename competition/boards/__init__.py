"""Boards: stored results and ranks (the one recompute door, results.py), each board's seq and
its patches; boards as their audiences see them (freeze and reveal, as in ICPC scoreboards),
delegation standings and judging progress; the public board pages, the big screen and the
organisers' live view."""
