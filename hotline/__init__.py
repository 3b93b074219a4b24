"""hotline: an open-source contact-center backend for Asterisk."""

__version__ = "0.1.0"
