"""The JSON API under /api/v1 (DESIGN.md §4): board snapshots, standings and the tablets' marks,
described by its OpenAPI document."""
