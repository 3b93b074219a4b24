"""HTTP routers, one per slice."""
