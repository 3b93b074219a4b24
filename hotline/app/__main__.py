"""``python -m hotline.app ...`` is the ``hotline`` command."""

from hotline.app.cli import main

main()
