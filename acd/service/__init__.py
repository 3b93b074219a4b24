"""The ACD service: drives ``acd.core`` from pbx events and executes its commands over AMI.

Build it with :func:`acd.service.wiring.build_acd_service`; see :class:`AcdService`.
"""

from acd.service.config import AcdConfig, AgentProfile, RecordingPolicy
from acd.service.service import AcdService

__all__ = ["AcdConfig", "AcdService", "AgentProfile", "RecordingPolicy"]
