"""Hot reload: the menus in force, swapped atomically when the file changes and validates.

``holder.get()`` is what each call reads once at its start. A file that does not validate
is logged with its lines and reasons (``holder.last_error``) and the previous menus stay
in force. ``watch()`` polls the file's mtime/size every ``interval`` seconds.
``publish(text)`` is the admin page's way in: validated first, then written in one step
(temporary file + rename) and put in force; a text with problems raises and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from pathlib import Path

from ivr.loader import MenuError, MenuSet, load_menus, parse_menus

log = logging.getLogger(__name__)


class MenuHolder:
    def __init__(self, path: str | Path, *, interval: float = 2.0) -> None:
        self.path = Path(path)
        self.interval = interval
        self._menus = load_menus(self.path)  # the first load must succeed: no menus, no service
        self._stamp = self._stat()
        self.last_error: MenuError | None = None
        self.reloads = 0

    def get(self) -> MenuSet:
        return self._menus

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def check(self) -> bool:
        """Reload if the file changed. True when new menus went into force."""
        stamp = self._stat()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            menus = load_menus(self.path)
        except MenuError as exc:
            self.last_error = exc
            log.error("menu file rejected, the previous menus stay in force:\n%s", exc)
            return False
        for w in menus.warnings:
            log.warning("%s:%d: %s", self.path, w.line, w.reason)
        self._menus, self.last_error = menus, None
        self.reloads += 1
        log.info("menus reloaded from %s", self.path)
        return True

    def text(self) -> str:
        """The menu file as it is on disk (which may be a rejected edit: see ``last_error``)."""
        return self.path.read_text(encoding="utf-8")

    def publish(self, text: str) -> MenuSet:
        """Validate ``text``, write it over the menu file atomically and put it in force.
        Raises :class:`MenuError` (lines and reasons, as ``hotline ivr check``) and leaves the
        file and the menus in force as they were when the text has problems."""
        menus = parse_menus(text, source=str(self.path))
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._menus, self.last_error = menus, None
        self._stamp = self._stat()
        self.reloads += 1
        log.info("menus published to %s", self.path)
        return menus

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await asyncio.to_thread(self.check)
            except Exception:  # the watcher must outlive any surprise
                log.exception("menu reload check failed")
