"""Reflex states: thin wrappers that resolve the session from the HttpOnly cookie, call one
service and keep display data. Every handler re-checks who is asking; page guards only hide UI."""
