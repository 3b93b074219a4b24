"""Classic (stdin/stdout) AGI entry point, for sites that cannot open the FastAGI port.

Dialplan: ``AGI(hotline-agi,ivr,lang=zh)`` runs ``hotline-agi ivr lang=zh`` (or
``python -m pbx.agi.stdin ivr``); Asterisk writes the env block and the replies to
our stdin and reads commands from our stdout. The same route handlers as the FastAGI
server run on a :class:`StdinAgiSession`.

pyst2's ``asterisk.agi.AGI`` reads the env block and writes commands; it must be built
in the main thread (it installs a SIGHUP handler: Asterisk signals a hangup that
way on stdin AGI). Its blocking reads run in a worker thread via ``asyncio.to_thread``,
and replies go through our own decoder, which, unlike pyst2's, consumes a whole
``520`` usage text and tolerates ``HANGUP`` lines.

Routes come from ``--routes module:factory`` (a callable returning ``{"ivr":
handler, ...}``, possibly async), ``--handler module:function`` (one handler), or
the environment variable ``HOTLINE_AGI_ROUTES=module:factory``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import io
import logging
import os
import sys
from collections.abc import Mapping
from typing import IO, Any

from pbx.agi.base import BaseAgiSession
from pbx.agi.protocol import HangupNotice, Reply, ReplyDecoder
from pbx.agi.server import AgiHandler
from pbx.agi.session import AgiError, AgiHangup

log = logging.getLogger(__name__)


class _TextLines:
    """What pyst2 reads the env block from: str lines, bad UTF-8 replaced, not fatal."""

    def __init__(self, binary: IO[bytes]) -> None:
        self.binary = binary

    def readline(self) -> str:
        return self.binary.readline().decode("utf-8", errors="replace")


class _LogWriter(io.TextIOBase):
    """pyst2 narrates every line to stderr; we keep that at debug level."""

    def write(self, s: str) -> int:
        if s.strip():
            log.debug("pyst2: %s", s.rstrip())
        return len(s)


def make_pyst2_agi(stdin: IO[bytes], stdout: IO[bytes]) -> Any:
    """Build ``asterisk.agi.AGI`` on binary streams (reads the env block)."""
    from asterisk.agi import AGI

    text_out = io.TextIOWrapper(stdout, encoding="utf-8", newline="\n", write_through=True)
    return AGI(stdin=_TextLines(stdin), stdout=text_out, stderr=_LogWriter())


class StdinAgiSession(BaseAgiSession):
    """:class:`pbx.agi.session.AgiSession` over pyst2's stdin/stdout AGI."""

    def __init__(self, agi: Any) -> None:
        super().__init__(dict(agi.env))
        self._agi = agi
        self._binary: IO[bytes] = agi.stdin.binary
        self._decoder = ReplyDecoder()

    async def _send_and_receive(self, line: str) -> Reply:
        return await asyncio.to_thread(self._exchange, line)

    def _exchange(self, line: str) -> Reply:
        if self._agi._got_sighup:
            self.hangup_seen = True
        try:
            self._agi.send_command(line)
        except OSError as exc:  # EPIPE: Asterisk is gone
            raise AgiHangup(f"{line!r}: {exc}") from exc
        while True:
            raw = self._binary.readline()
            if not raw:
                raise AgiHangup(f"{line!r}: Asterisk closed stdin")
            for frame in self._decoder.feed(raw):
                if isinstance(frame, HangupNotice):
                    self.hangup_seen = True
                elif frame.code != 100:
                    return frame


def load_routes(routes_spec: str | None, handler_spec: str | None,
                script: str) -> Mapping[str, AgiHandler]:
    """Resolve ``module:attr`` specs; raises SystemExit with a one-line reason."""
    if handler_spec:
        return {script: _resolve(handler_spec)}
    spec = routes_spec or os.environ.get("HOTLINE_AGI_ROUTES")
    if not spec:
        raise SystemExit("hotline-agi: no routes; pass --routes module:factory, "
                         "--handler module:function, or set HOTLINE_AGI_ROUTES.")
    factory = _resolve(spec)
    routes = factory()
    if inspect.isawaitable(routes):
        routes = asyncio.run(routes)  # type: ignore[arg-type]
    if not isinstance(routes, Mapping):
        raise SystemExit(f"hotline-agi: {spec} returned {type(routes).__name__}, not a dict "
                         "of script name -> handler.")
    return routes


def _resolve(spec: str) -> Any:
    module, sep, attr = spec.partition(":")
    if not sep or not module or not attr:
        raise SystemExit(f"hotline-agi: {spec!r} is not module:attribute.")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise SystemExit(f"hotline-agi: cannot load {spec}: {exc}") from exc


async def run_session(session: StdinAgiSession, handler: AgiHandler) -> int:
    """Run one handler; the exit status is 0 unless the handler failed."""
    try:
        result = handler(session)
        if inspect.isawaitable(result):
            await result
    except AgiHangup as exc:
        log.info("AGI %s ended by hangup: %s", session.channel, exc)
    except AgiError as exc:
        log.warning("AGI %s failed: %s", session.channel, exc)
        return 1
    except Exception:
        log.exception("AGI handler failed on %s", session.channel)
        return 1
    return 0


def main(argv: list[str] | None = None, stdin: IO[bytes] | None = None,
         stdout: IO[bytes] | None = None) -> int:
    """``hotline-agi ivr [--routes module:factory]``: serve one call on stdin/stdout."""
    parser = argparse.ArgumentParser(prog="hotline-agi", description=__doc__.split("\n")[0])
    parser.add_argument("script", help="route name, e.g. ivr or survey")
    parser.add_argument("agi_args", nargs="*", help="ignored: Asterisk also sends them as agi_arg_N")
    parser.add_argument("--routes", help="module:factory returning {script: handler}")
    parser.add_argument("--handler", help="module:function handling this script")
    ns = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("HOTLINE_AGI_LOG", "WARNING"), stream=sys.stderr)
    routes = load_routes(ns.routes, ns.handler, ns.script)
    handler = routes.get(ns.script)
    agi = make_pyst2_agi(stdin or sys.stdin.buffer, stdout or sys.stdout.buffer)
    if handler is None:
        log.error("hotline-agi: no handler for script %r (known: %s)", ns.script,
                  ", ".join(sorted(routes)) or "none")
        return 2
    return asyncio.run(run_session(StdinAgiSession(agi), handler))


if __name__ == "__main__":
    sys.exit(main())
