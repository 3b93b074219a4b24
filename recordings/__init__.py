"""Recordings: index, storage and access."""
