"""Judges: judges of a contest, event panels and who marks what (assignments), one-time login
links and API tokens for their tablets."""
