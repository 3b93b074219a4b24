"""Passwords, session tokens and the failed-login limiter. No I/O; time is injected."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hotline.clock import Clock

_hasher = PasswordHasher()
# Verified against when the username does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """An opaque bearer token (256 bits of randomness)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps: tokens are high-entropy, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    max_failures: int = 5
    window_s: float = 300.0


class LoginLimiter:
    """Counts failed logins per (username, ip) in a sliding window.

    After ``max_failures`` failures within ``window_s`` further attempts are refused
    until the oldest failure leaves the window; :meth:`retry_after` says how long.
    A success clears the key.
    """

    def __init__(self, clock: Clock, policy: LimitPolicy | None = None) -> None:
        self._clock = clock
        self.policy = policy or LimitPolicy()
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        q = self._failures.get(key)
        if q is None:
            return deque()
        horizon = self._clock.monotonic() - self.policy.window_s
        while q and q[0] <= horizon:
            q.popleft()
        if not q:
            del self._failures[key]
        return q

    def retry_after(self, username: str, ip: str) -> int:
        """Seconds until the next attempt is allowed (0 = allowed now)."""
        q = self._recent((username.lower(), ip))
        if len(q) < self.policy.max_failures:
            return 0
        oldest = q[len(q) - self.policy.max_failures]
        wait = oldest + self.policy.window_s - self._clock.monotonic()
        return max(1, math.ceil(wait))

    def failed(self, username: str, ip: str) -> None:
        key = (username.lower(), ip)
        self._recent(key)
        self._failures.setdefault(key, deque()).append(self._clock.monotonic())
        if len(self._failures) > 100_000:  # bound memory under a username-spraying attack
            horizon = self._clock.monotonic() - self.policy.window_s
            for k in [k for k, v in self._failures.items() if not v or v[-1] <= horizon]:
                del self._failures[k]

    def succeeded(self, username: str, ip: str) -> None:
        self._failures.pop((username.lower(), ip), None)
