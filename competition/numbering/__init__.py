"""Numbering: bibs (参赛号) by the contest's pattern and secret draw codes (加密号)."""
