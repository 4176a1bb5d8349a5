"""The demo contest."""
