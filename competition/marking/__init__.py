"""Marking: marks and their revisions, and the one write path every mark takes (a judge's form
or the tablet API): all of a form or none of it."""
