"""The queue event kinds written to ``call_events.kind`` by the ACD.

Names follow Asterisk's queue_log verbs so tools that read queue_log can read ours.
"""

ENTERQUEUE = "ENTERQUEUE"
CONNECT = "CONNECT"
ABANDON = "ABANDON"
EXITWITHTIMEOUT = "EXITWITHTIMEOUT"
EXITWITHKEY = "EXITWITHKEY"
EXITEMPTY = "EXITEMPTY"
RINGNOANSWER = "RINGNOANSWER"
COMPLETECALLER = "COMPLETECALLER"
COMPLETEAGENT = "COMPLETEAGENT"
TRANSFER = "TRANSFER"
BLINDTRANSFER = "BLINDTRANSFER"
ATTENDEDTRANSFER = "ATTENDEDTRANSFER"
PAUSE = "PAUSE"
UNPAUSE = "UNPAUSE"
ADDMEMBER = "ADDMEMBER"
REMOVEMEMBER = "REMOVEMEMBER"

QUEUE_KINDS = frozenset({
    ENTERQUEUE, CONNECT, ABANDON, EXITWITHTIMEOUT, EXITWITHKEY, EXITEMPTY, RINGNOANSWER,
    COMPLETECALLER, COMPLETEAGENT, TRANSFER, BLINDTRANSFER, ATTENDEDTRANSFER, PAUSE, UNPAUSE,
    ADDMEMBER, REMOVEMEMBER,
})
# A call leaves the queue without an agent in one of these ways.
LOST_KINDS = frozenset({ABANDON, EXITWITHTIMEOUT, EXITWITHKEY, EXITEMPTY})

# Outbound campaigns (``outbound``): one row per dial, per result, per refused record.
# ``queue`` is the campaign name; ``data`` holds number, result, cause, reason.
OUTBOUND_DIAL = "OUTBOUND_DIAL"
OUTBOUND_RESULT = "OUTBOUND_RESULT"
OUTBOUND_REFUSED = "OUTBOUND_REFUSED"
OUTBOUND_KINDS = frozenset({OUTBOUND_DIAL, OUTBOUND_RESULT, OUTBOUND_REFUSED})

# Every agent state change (``agent``; ``data``: state, previous, reason, call_of), call id
# NONE: the console rebuilds each agent's time per state today from these after a restart.
AGENTSTATE = "AGENTSTATE"
