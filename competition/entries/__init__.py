"""Entries: delegations, contestants and their entries; the public registration form, the
organiser's review, import and export of entrant lists, and the rules of who a registrant is."""
