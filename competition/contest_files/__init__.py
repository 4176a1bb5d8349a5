"""Contest files (DESIGN.md §4): one JSON file per contest, checked, imported and exported."""
