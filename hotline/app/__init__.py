"""The application: composition root of hotline (CLI, runtime, demo, migrations).

Nothing imports this package; it imports everything. The foundation it builds on is
the rest of ``hotline`` (settings, clock, db, bus, event log), which imports nothing of ours.
"""
