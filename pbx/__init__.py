"""The Asterisk bridge: AMI, FastAGI, call tracking, and the simulated Asterisk."""
