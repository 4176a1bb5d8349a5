"""The audit log: who did what, when, to which contest; written in the transaction it records."""
