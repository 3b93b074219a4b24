"""The simulated Asterisk: an AMI server and FastAGI client behaving like the real
Asterisk 22 of ``../shared/asterisk`` transcripts, with scripted callers and agents'
phones. A product feature (demo, load tests, what-if), deterministic under a seed."""

from .asterisk import SimAsterisk
from .clock import SimClock
from .config import AgentPhone, CallerScript, SimConfig

__all__ = ["AgentPhone", "CallerScript", "SimAsterisk", "SimClock", "SimConfig"]
