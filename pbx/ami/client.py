"""AmiClient: the one owner of the AMI connection, on panoramisk's ``Manager``.

panoramisk 1.4's Manager has defects we guard here by overriding its lifecycle:

* a refused login only sets ``authenticated = False`` and it reconnects forever:
  :meth:`AmiClient.connect` raises :class:`AmiAuthError` at once instead;
* an unreachable host is retried silently: ``connect`` raises :class:`AmiConnectError`
  after ``settings.ami_connect_timeout``;
* after its own ``close()`` (e.g. on ``Shutdown``) it never learns of the EOF and stays
  dead: our protocol always reports the loss, and we reconnect with exponential backoff
  (capped at ``settings.ami_reconnect_max_delay``, jittered by an injected ``random``);
* it re-sends actions that were in flight when the link dropped (an Originate twice
  would ring two phones): we never re-send; they fail with :class:`AmiNotConnectedError`.

After every (re)connect: Login, wait for ``FullyBooted``, then RESYNC: ``CoreShowChannels``
plus ``Getvar`` of our channel variables on each channel, published as
:class:`pbx.events.AmiResynced` so calls in progress are re-adopted.

Actions sent while disconnected wait up to ``action_wait`` seconds for the connection to
come back, then fail with :class:`AmiNotConnectedError`. Responses are matched by
ActionID only. A keepalive ``Ping`` every ``ping_interval`` closes a silent link.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from panoramisk.manager import Manager

from hotline.clock import Clock, SystemClock
from hotline.events import EventBus
from hotline.settings import Settings
from pbx.ami.actions import AmiAction, CoreShowChannels, Getvar, Login, Originate, Ping
from pbx.ami.codec import AmiMessage
from pbx.ami.errors import (
    AmiAuthError,
    AmiConnectError,
    AmiNotConnectedError,
    AmiTimeoutError,
    NoSuchChannel,
)
from pbx.ami.parse import originate_result
from pbx.ami.protocol import ActionResponse, HotlineAmiProtocol
from pbx.events import (
    AmiConnected,
    AmiDisconnected,
    AmiResynced,
    ChannelSnapshot,
    OriginateResult,
    PbxShutdown,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# Channel variables our dialplan/IVR set, read back on resync to re-adopt calls.
RESYNC_VARIABLES = ("HOTLINE_CALL_ID", "HOTLINE_REQUEST", "HOTLINE_ENQUEUED_AT", "HOTLINE_OUTBOUND")
_BACKOFF_BASE = 0.5
_MAX_UNREAD_ORIGINATES = 1000


class AmiClient(Manager):
    def __init__(
        self,
        settings: Settings,
        bus: EventBus,
        clock: Clock | None = None,
        *,
        on_event: Callable[[AmiMessage], None] | None = None,
        rng: random.Random | None = None,
        ping_interval: float = 20.0,
        action_timeout: float = 10.0,
        action_wait: float | None = None,
        resync_variables: Iterable[str] = RESYNC_VARIABLES,
        retry_refused: bool = True,
    ) -> None:
        super().__init__(host=settings.ami_host, port=settings.ami_port,
                         username=settings.ami_username, secret=settings.ami_secret,
                         ping_delay=int(ping_interval), ping_interval=int(ping_interval),
                         protocol_factory=HotlineAmiProtocol)
        self.callbacks.clear()  # Manager's FullyBooted -> resend-awaiting-actions: never
        self.patterns.clear()
        self.settings = settings
        self.bus = bus
        self.clock = clock or SystemClock()
        self.on_event = on_event or (lambda _m: None)
        self.rng = rng or random.Random()
        self.ping_seconds = ping_interval
        self.action_timeout = action_timeout
        self.action_wait = settings.ami_connect_timeout if action_wait is None else action_wait
        self.resync_variables = tuple(resync_variables)
        # a service keeps trying a refused port while Asterisk restarts; a one-off check
        # (``hotline ami check``) reports it at once
        self.retry_refused = retry_refused
        self.protocol: HotlineAmiProtocol | None = None
        self.banner = ""
        self.reconnects = 0
        self._ids = itertools.count(1)
        self._id_prefix = f"hl{self.rng.getrandbits(24):06x}"
        self._live = False
        self._closing = False
        self._up = asyncio.Event()
        self._booted: asyncio.Future[None] | None = None
        self._originates: dict[str, asyncio.Future[OriginateResult]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def where(self) -> str:
        return f"{self.settings.ami_host}:{self.settings.ami_port}"

    @property
    def connected(self) -> bool:
        return self._live

    # --- lifecycle ---------------------------------------------------------------

    async def connect(self) -> None:
        """Connect, log in, wait for FullyBooted, resync. Raises on refusal/unreachable."""
        self._closing = False
        self.loop = asyncio.get_running_loop()
        await self._establish()
        self._spawn(self._keepalive(), "ami-keepalive")

    async def close(self) -> None:
        """Log off and stop reconnecting."""
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        proto = self.protocol
        if proto is not None and self._live:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(proto.send_action([("Action", "Logoff")], self._next_id()), 1.0)
            proto.close()
        self._set_down("closed by us", expected=True)

    async def _establish(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.ami_connect_timeout
        proto = await self._open(deadline)
        try:
            self.banner = await asyncio.wait_for(proto.banner, max(0.01, deadline - loop.time()))
            self._booted = loop.create_future()
            login = Login(self.settings.ami_username, self.settings.ami_secret)
            resp = await asyncio.wait_for(proto.send_action(login.fields(), self._next_id()),
                                          max(0.01, deadline - loop.time()))
            if not resp.success:
                raise AmiAuthError(
                    f"AMI login refused for user {self.settings.ami_username} at {self.where}: "
                    "check HOTLINE_AMI_USERNAME/HOTLINE_AMI_SECRET and manager.conf")
            try:
                await asyncio.wait_for(asyncio.shield(self._booted), self.settings.ami_connect_timeout)
            except TimeoutError:
                log.warning("AMI at %s: no FullyBooted after login; going on", self.where)
        except (TimeoutError, ConnectionError) as exc:
            proto.close()
            raise AmiConnectError(
                f"Asterisk at {self.where} accepted TCP but did not complete the AMI login "
                f"({type(exc).__name__}); check that this port is the manager port") from exc
        except BaseException:
            proto.close()
            raise
        self.protocol = proto
        self.authenticated = True
        self._live = True
        self._up.set()
        self.bus.publish(AmiConnected(at=self.clock.now(), banner=self.banner))
        log.info("AMI connected to %s (%s)", self.where, self.banner)
        if proto.closed:  # lost while logging in (e.g. Shutdown right after FullyBooted)
            self.connection_lost(None)
            return
        await self._resync()

    async def _open(self, deadline: float) -> HotlineAmiProtocol:
        loop = asyncio.get_running_loop()
        last: BaseException | None = None
        while (left := deadline - loop.time()) > 0:
            try:
                _t, proto = await asyncio.wait_for(
                    loop.create_connection(lambda: HotlineAmiProtocol(self._dispatch, self),
                                           self.settings.ami_host, self.settings.ami_port), left)
                return proto
            except (OSError, TimeoutError) as exc:  # refused while Asterisk restarts: retry
                last = exc
                if isinstance(exc, ConnectionRefusedError) and not self.retry_refused:
                    raise AmiConnectError(
                        f"Asterisk AMI at {self.where} refused the connection: check "
                        "HOTLINE_AMI_HOST/HOTLINE_AMI_PORT and that Asterisk runs") from exc
                await asyncio.sleep(min(0.2, max(0.0, deadline - loop.time())))
        raise AmiConnectError(
            f"cannot reach Asterisk AMI at {self.where} within {self.settings.ami_connect_timeout:g} s "
            f"({last!r}): check HOTLINE_AMI_HOST/HOTLINE_AMI_PORT and that Asterisk runs")

    def connection_lost(self, exc: BaseException | None) -> None:
        """Called by the protocol once per connection (EOF, reset, our close)."""
        if not self._live:
            return  # a connection that never completed login: _establish handles it
        self._set_down(f"connection lost: {exc!r}" if exc else "connection closed")
        if not self._closing:
            self._spawn(self._reconnect(), "ami-reconnect")

    def _set_down(self, reason: str, *, expected: bool = False) -> None:
        if not self._live:
            return
        self._live = False
        self.authenticated = False
        self._up.clear()
        for fut in self._originates.values():
            if not fut.done():
                fut.set_exception(AmiNotConnectedError(
                    "the AMI connection dropped before the Originate result arrived"))
                fut.exception()  # nobody may be waiting: don't log "never retrieved"
        self._originates.clear()
        # our own close is no incident: no warning for the operator
        log.log(logging.INFO if expected else logging.WARNING, "AMI at %s down: %s", self.where, reason)
        self.bus.publish(AmiDisconnected(at=self.clock.now(), reason=reason))

    def backoff(self, attempt: int) -> float:
        """Delay before reconnect ``attempt`` (0-based): exponential, capped, jittered."""
        cap = self.settings.ami_reconnect_max_delay
        return min(cap, _BACKOFF_BASE * 2 ** min(attempt, 30)) * (0.5 + 0.5 * self.rng.random())

    async def _reconnect(self) -> None:
        attempt = 0
        while not self._closing:
            await asyncio.sleep(self.backoff(attempt))
            attempt += 1
            try:
                await self._establish()
            except AmiAuthError as exc:
                log.error("%s", exc)
            except Exception as exc:  # keep trying; Asterisk may be down for a while
                log.warning("AMI reconnect attempt %d failed: %s", attempt, exc)
            else:
                self.reconnects += 1
                return

    async def _keepalive(self) -> None:
        while not self._closing:
            await asyncio.sleep(self.ping_seconds)
            if not self._live:
                continue
            try:
                await self.execute(Ping(), within=self.action_timeout)
            except AmiTimeoutError:
                log.warning("AMI at %s: no Pong within %g s; reconnecting", self.where, self.action_timeout)
                if self.protocol is not None:
                    self.protocol.close()
            except Exception as exc:
                log.debug("keepalive ping failed: %s", exc)

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- resync -------------------------------------------------------------------

    async def _resync(self) -> None:
        try:
            channels = await self.execute(CoreShowChannels())
            found = await asyncio.gather(*(self._read_vars(c) for c in channels))
        except Exception as exc:
            log.error("AMI resync after connect failed (%s); calls in progress may be missed", exc)
            return
        snaps = tuple(s for s in found if s is not None)
        self.bus.publish(AmiResynced(at=self.clock.now(), channels=snaps))

    async def _read_vars(self, snap: ChannelSnapshot) -> ChannelSnapshot | None:
        values: dict[str, str] = {}
        for name in self.resync_variables:
            try:
                value = await self.execute(Getvar(name, channel=snap.channel))
            except NoSuchChannel:
                return None  # hung up since CoreShowChannels
            if value:
                values[name] = value
        return replace(snap, variables=values)

    # --- events ---------------------------------------------------------------------

    def _dispatch(self, msg: AmiMessage) -> None:
        self.on_event(msg)
        name = msg["Event"]
        if name in _CONTROL_EVENTS:
            _CONTROL_EVENTS[name](self, msg)

    def _on_fully_booted(self, _msg: AmiMessage) -> None:
        if self._booted is not None and not self._booted.done():
            self._booted.set_result(None)

    def _on_shutdown(self, msg: AmiMessage) -> None:
        self.bus.publish(PbxShutdown(at=self.clock.now(), restart=msg.get("Restart") == "True"))
        if self._live and self.protocol is not None:
            self.protocol.close()  # Asterisk closes ~1 s later anyway (ami-11)

    def _on_originate_response(self, msg: AmiMessage) -> None:
        # Kept until originate_result() reads it: the result can arrive before that call.
        fut = self._originates.get(msg.get("ActionID", ""))
        if fut is not None and not fut.done():
            fut.set_result(originate_result(msg, self.clock.now()))
        if len(self._originates) > _MAX_UNREAD_ORIGINATES:  # nobody reads them: forget done ones
            self._originates = {k: f for k, f in self._originates.items() if not f.done()}

    # --- actions ----------------------------------------------------------------------

    def _next_id(self) -> str:
        return f"{self._id_prefix}-{next(self._ids)}"

    async def execute(self, action: AmiAction[T], *, within: float | None = None) -> T:
        """Send a typed action; its typed result, or an :class:`AmiActionError`."""
        action_id = self._next_id()
        if isinstance(action, Originate) and action.run_async:
            self._originates[action_id] = asyncio.get_running_loop().create_future()
        try:
            resp = await self.send(action.fields(), within=within, action_id=action_id)
            return action.check(resp)
        except BaseException:
            self._originates.pop(action_id, None)
            raise

    async def originate_result(self, action_id: str, within: float | None = None) -> OriginateResult:
        """Wait for the ``OriginateResponse`` of an Originate sent by :meth:`execute`."""
        fut = self._originates.get(action_id)
        if fut is None:
            raise KeyError(f"no Originate with ActionID {action_id} is waiting for its result")
        try:
            return await asyncio.wait_for(asyncio.shield(fut), within)
        finally:
            if fut.done():
                self._originates.pop(action_id, None)

    async def send(self, fields: list[tuple[str, object]], *, within: float | None = None,
                   action_id: str | None = None) -> ActionResponse:
        """Send raw fields (``[("Action", "X"), ...]``); the response, correlated by ActionID."""
        name = str(fields[0][1]) if fields else "?"
        if not self._live:
            try:
                await asyncio.wait_for(self._up.wait(), self.action_wait)
            except TimeoutError:
                raise AmiNotConnectedError(
                    f"AMI {name} not sent: not connected to Asterisk at {self.where} "
                    f"(reconnecting); retry later") from None
        proto = self.protocol
        assert proto is not None
        aid = action_id or self._next_id()
        wait = self.action_timeout if within is None else within
        try:
            return await asyncio.wait_for(proto.send_action(fields, aid), wait)
        except TimeoutError:
            proto.forget(aid)
            raise AmiTimeoutError(f"Asterisk did not answer AMI {name} within {wait:g} s; "
                                  "it may or may not have run") from None
        except ConnectionError:
            raise AmiNotConnectedError(f"the AMI connection dropped before {name} was answered; "
                                       "it was not re-sent (it may have run)") from None

    def send_action(self, action: dict[str, Any], as_list: Any = None, **kwargs: Any) -> asyncio.Future[Any]:
        """panoramisk-compatible: a future of the :class:`ActionResponse`."""
        fields = list({**action, **kwargs}.items())
        return asyncio.ensure_future(self.send(fields))


_CONTROL_EVENTS: dict[str, Callable[[AmiClient, AmiMessage], None]] = {
    "FullyBooted": AmiClient._on_fully_booted,
    "Shutdown": AmiClient._on_shutdown,
    "OriginateResponse": AmiClient._on_originate_response,
}
