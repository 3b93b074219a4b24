"""The dialplan names the Python code and the rendered extensions.conf share.

Import these instead of writing ``"hotline-agent"`` in an AMI action; the check in
``asterisk_conf.check`` fails if the rendered dialplan lacks any of them.
"""

from __future__ import annotations

# --- contexts -------------------------------------------------------------------------
HOTLINE_IN = "hotline-in"                # trunk calls: Answer, AGI ivr, then wait / transfer
HOTLINE_WAIT = "hotline-wait"            # caller parked in music on hold until bridged
HOTLINE_ANNOUNCE = "hotline-announce"    # says HOTLINE_POSITION / HOTLINE_EWT, back to wait
HOTLINE_AGENT = "hotline-agent"          # originated agent legs: exten bridge / hold
HOTLINE_AGENT_DIAL = "hotline-agent-dial"  # exten = agent number: Dial the agent (transfers)
HOTLINE_TRANSFER = "hotline-transfer"    # exten = external number (IVR HOTLINE_TRANSFER_TO)
HOTLINE_SURVEY = "hotline-survey"        # post-call survey over AGI
HOTLINE_CALLBACK = "hotline-callback"    # confirms HOTLINE_CALLBACK_NUM to the caller, hangs up
HOTLINE_VOICEMAIL = "hotline-voicemail"  # records a message for HOTLINE_QUEUE
HOTLINE_SPY = "hotline-spy"              # supervisor legs: exten listen / whisper / barge
HOTLINE_CONFERENCE = "hotline-conference"  # ConfBridge(${HOTLINE_CONF}): exten s / guest
HOTLINE_OUTBOUND = "hotline-outbound"    # campaign customer legs: AMD(), then wait / IVR
FROM_AGENTS = "from-agents"              # context of the agent endpoints (their own dialling)

CONTEXTS: tuple[str, ...] = (
    HOTLINE_IN, HOTLINE_WAIT, HOTLINE_ANNOUNCE, HOTLINE_AGENT, HOTLINE_AGENT_DIAL,
    HOTLINE_TRANSFER, HOTLINE_SURVEY, HOTLINE_CALLBACK, HOTLINE_VOICEMAIL, HOTLINE_SPY,
    HOTLINE_CONFERENCE, HOTLINE_OUTBOUND, FROM_AGENTS,
)

# --- extensions -----------------------------------------------------------------------
EXTEN_START = "s"
EXTEN_AFTER = "after"      # in HOTLINE_WAIT: survey if an agent took the call, else Hangup
EXTEN_BRIDGE = "bridge"    # in HOTLINE_AGENT: Bridge(${HOTLINE_CALLER},T)
EXTEN_HOLD = "hold"        # in HOTLINE_AGENT: Wait until the AMI Bridge action
SPY_LISTEN = "listen"      # in HOTLINE_SPY: ChanSpy(${SPY_TARGET},q)
SPY_WHISPER = "whisper"    # ChanSpy(...,qw): talk to the spied channel only
SPY_BARGE = "barge"        # ChanSpy(...,qB): talk to both parties
EXTEN_GUEST = "guest"      # in HOTLINE_CONFERENCE: the third party (s: caller and agent)
EXTEN_IVR = "ivr"          # in HOTLINE_OUTBOUND: agentless campaign, AGI(outbound,...)

# (context, extension) pairs the Python side originates or redirects into.
ENTRY_POINTS: tuple[tuple[str, str], ...] = (
    (HOTLINE_WAIT, EXTEN_START), (HOTLINE_WAIT, EXTEN_AFTER), (HOTLINE_ANNOUNCE, EXTEN_START),
    (HOTLINE_AGENT, EXTEN_BRIDGE), (HOTLINE_AGENT, EXTEN_HOLD),
    (HOTLINE_SURVEY, EXTEN_START), (HOTLINE_CALLBACK, EXTEN_START),
    (HOTLINE_VOICEMAIL, EXTEN_START),
    (HOTLINE_SPY, SPY_LISTEN), (HOTLINE_SPY, SPY_WHISPER), (HOTLINE_SPY, SPY_BARGE),
    (HOTLINE_CONFERENCE, EXTEN_START), (HOTLINE_CONFERENCE, EXTEN_GUEST),
    (HOTLINE_OUTBOUND, EXTEN_START), (HOTLINE_OUTBOUND, EXTEN_IVR),
)

# --- channel variables ------------------------------------------------------------------
VAR_CALLER = "HOTLINE_CALLER"            # on the agent leg: the caller channel to bridge
VAR_CALL_ID = "HOTLINE_CALL_ID"          # set by the IVR: the call is enqueued
VAR_AGENT = "HOTLINE_AGENT"              # on agent legs (Originate); the survey reads it
VAR_POSITION = "HOTLINE_POSITION"        # ACD -> HOTLINE_ANNOUNCE: place in line (1 = next)
VAR_EWT = "HOTLINE_EWT"                  # ACD -> HOTLINE_ANNOUNCE: estimated wait, s ("" = none)
VAR_CALLBACK_NUM = "HOTLINE_CALLBACK_NUM"  # ACD -> HOTLINE_CALLBACK: the number to call back
VAR_QUEUE = "HOTLINE_QUEUE"              # ACD -> HOTLINE_VOICEMAIL: the queue the message is for
VAR_TRANSFER_TO = "HOTLINE_TRANSFER_TO"  # set by the IVR: hand the call to this number
VAR_SPY_TARGET = "SPY_TARGET"            # on the supervisor leg: channel (prefix) to spy on
VAR_CONF = "HOTLINE_CONF"                # ACD -> HOTLINE_CONFERENCE: the room of the call
VAR_AMD = "HOTLINE_AMD"                  # campaign -> HOTLINE_OUTBOUND: off|hangup|message|agent
VAR_AMD_MESSAGE = "HOTLINE_AMD_MESSAGE"  # the prompt left on a machine (amd = message)
MOH_CLASS = "default"

# --- confbridge.conf profiles (ConfBridge(room,bridge profile,user profile)) -------------
CONF_BRIDGE_PROFILE = "hotline_bridge"
CONF_PARTY_PROFILE = "hotline_party"     # caller and agent: marked, quiet
CONF_GUEST_PROFILE = "hotline_guest"     # third party: quiet, leaves with the last marked user
