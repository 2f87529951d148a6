"""The runbook library: the shipped runbooks (package data) and a team's own folder."""
