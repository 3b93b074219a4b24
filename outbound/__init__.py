"""Outbound campaigns: pacing, compliance, lists and the dialer."""
