"""The Asterisk configuration hotline expects, rendered from Settings, and its checks."""
