"""Hot reload: the menus in force, swapped atomically when the file changes and validates.

``holder.get()`` is what each call reads once at its start. A file that does not validate
is logged with its lines and reasons (``holder.last_error``) and the previous menus stay
in force. ``watch()`` polls the file's mtime/size every ``interval`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from ivr.loader import MenuError, MenuSet, load_menus

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

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await asyncio.to_thread(self.check)
            except Exception:  # the watcher must outlive any surprise
                log.exception("menu reload check failed")
