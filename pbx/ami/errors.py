"""Errors of the AMI bridge. Each message says what was wrong and what to do."""

from __future__ import annotations


class AmiError(Exception):
    """Base of every AMI error."""


class AmiConnectError(AmiError):
    """Asterisk's manager port could not be reached."""


class AmiAuthError(AmiError):
    """Asterisk refused the login (wrong user/secret, or manager.conf deny/permit)."""


class AmiNotConnectedError(AmiError):
    """An action could not be sent because the connection is down."""


class AmiTimeoutError(AmiError):
    """An action got no response in time."""


class AmiActionError(AmiError):
    """Asterisk answered ``Response: Error`` to an action."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"AMI {action} failed: {message}")
        self.action = action
        self.message = message


class NoSuchChannel(AmiActionError):
    """The channel named in the action does not exist (any more)."""


class OriginateFailed(AmiActionError):
    """A blocking Originate did not reach an answer."""


class NoFeatureCode(AmiActionError):
    """Atxfer needs ``atxfer`` in ``[featuremap]`` of features.conf."""


class UnknownAction(AmiActionError):
    """Asterisk does not know the action (module not loaded?)."""


class PermissionDenied(AmiActionError):
    """The AMI user lacks the write class for the action, or is not logged in."""


# Exact texts from ../shared/asterisk/ami-*.txt (prefix match), most specific first.
_BY_MESSAGE: tuple[tuple[str, type[AmiActionError]], ...] = (
    ("No such channel", NoSuchChannel),
    ("Channel does not exist", NoSuchChannel),
    ("Channel specified does not exist", NoSuchChannel),
    ("No attended transfer feature code found", NoFeatureCode),
    ("Originate failed", OriginateFailed),
    ("Invalid/unknown command", UnknownAction),
    ("Permission denied", PermissionDenied),
)


def action_error(action: str, message: str) -> AmiActionError:
    """The most specific :class:`AmiActionError` for Asterisk's ``Message:`` text."""
    for prefix, cls in _BY_MESSAGE:
        if message.startswith(prefix):
            return cls(action, message)
    return AmiActionError(action, message)
