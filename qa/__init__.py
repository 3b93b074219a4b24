"""qa: quality assurance of recorded calls.

Scorecards (``qa.forms``, ``qa.scoring``: pure, versioned forms, fatal items, rates),
automatic audio QA (``qa.audio``: talk time, dead air, overtalk from each party's audio),
sampling (``qa.sampling``) and their tables (``qa.models``). It reads the recordings index
(``recordings``) and the call-event log, never live ACD objects.
"""
