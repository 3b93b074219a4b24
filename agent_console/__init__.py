"""Agent console and supervisor monitor: auth, REST, websocket hub, web pages."""
