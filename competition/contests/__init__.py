"""Contests: a contest's settings and life (draft → … → published), its events and their marking
schemes, and the organisers' pages for them."""
