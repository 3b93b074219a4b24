"""Where recordings live, and the one check that keeps every path inside the store."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath


class RecordingPathError(ValueError):
    """A recording path that would leave the recordings store."""


_SAFE = re.compile(r"[^A-Za-z0-9._-]")


class RecordingStore:
    """``root`` is ``Settings.recordings_dir``. Relative paths are stored in the index;
    :meth:`resolve` refuses any path that resolves outside ``root`` (``..``, absolute
    paths elsewhere, symlinks pointing out)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    def name_for(self, call_id: str, uniqueid: str, started_at: float) -> str:
        """``<yyyy>/<mm>/<dd>/hotline-<call>-<uniqueid>.wav`` (UTC date), safe characters only."""
        import time

        day = time.strftime("%Y/%m/%d", time.gmtime(started_at))
        return f"{day}/hotline-{_SAFE.sub('_', call_id)}-{_SAFE.sub('_', uniqueid)}.wav"

    def resolve(self, path: str | Path) -> Path:
        """The absolute file for a stored (relative or absolute) path, or RecordingPathError."""
        p = Path(path)
        full = (p if p.is_absolute() else self.root / p).resolve()
        if full != self.root and self.root not in full.parents:
            raise RecordingPathError(
                f"Recording path {str(path)!r} is outside the recordings store {self.root}; "
                "recordings must be saved under HOTLINE_RECORDINGS_DIR.")
        return full

    def relative(self, path: str | Path) -> str:
        """The store-relative form of ``path`` (checked), as stored in ``recordings.path``."""
        return PurePosixPath(self.resolve(path).relative_to(self.root)).as_posix()
