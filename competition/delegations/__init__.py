"""Delegations, for a contest's organisers: who belongs to each (entries, contestants, judges),
its team leader (领队) and contact, renaming, and merging two that are one union."""
