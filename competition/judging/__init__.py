"""Judging: the judge's home and marking form on a tablet, and the chief judge's progress
matrix, send-backs, sign-off (locks) and consistency view. Marks are written only through
competition.marking.services."""
