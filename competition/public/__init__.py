"""Public pages: the list of contests and a contest's home."""
