"""The language of the command line's messages: English, or Chinese when asked for.

Chinese when ``hotline --lang zh …`` is given; without ``--lang``, when the locale asks for
it: the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set starts with ``zh``
(``zh_CN.UTF-8``, ``zh_TW``; POSIX precedence). Commands word their messages in English and
pass each through :func:`say`. The Chinese wording is the console's catalogue
(``agent_console.messages.to_chinese``), which the composition root (``hotline.app.cli``)
installs with :func:`use`: one table for the pages and the CLI. A sentence the catalogue
does not know stays English.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

LANGS = ("zh", "en")
_translate: Callable[[str], str] | None = None
_chosen: str | None = None  # --lang of the command running now


def use(translate: Callable[[str], str]) -> None:
    """Install the English -> Chinese wording (once, by the composition root)."""
    global _translate
    _translate = translate


def choose(lang: str | None) -> None:
    """``--lang`` of the command about to run (the root callback sets it, and None after)."""
    global _chosen
    _chosen = lang


def locale_is_chinese(env: Mapping[str, str]) -> bool:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return value.lower().startswith("zh")
    return False


def chinese() -> bool:
    """``--lang`` of the running ``hotline`` command if given, else the locale."""
    if _chosen in LANGS:
        return _chosen == "zh"
    return locale_is_chinese(os.environ)


def say(message: str) -> str:
    """``message`` in the user's language."""
    return _translate(message) if _translate is not None and chinese() else message
