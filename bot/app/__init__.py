"""Wiring: settings, the runtime built once at start-up, the HTTP server, jobs."""
