"""AMI: the pure codec, the connection (on panoramisk's Manager), typed actions."""
