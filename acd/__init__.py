"""Skill-based routing: the pure core (``acd.core``) and the service that drives it."""
