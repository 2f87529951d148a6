"""warroom: an incident war-room bot for Slack."""

__version__ = "0.1.0"
