"""KPIs over the call-event log, Erlang staffing, and the routing what-if simulator."""
