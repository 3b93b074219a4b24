"""The ACD service: drives ``acd.core`` from pbx events and executes its commands over AMI.

The application (``hotline.app.runtime``) builds it; see :class:`AcdService`.
"""

from acd.service.config import AcdConfig, AgentProfile, RecordingPolicy
from acd.service.service import AcdService

__all__ = ["AcdConfig", "AcdService", "AgentProfile", "RecordingPolicy"]
