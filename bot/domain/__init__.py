"""Pure rules of an incident. No I/O: nothing here imports Slack, AWS or SQLAlchemy."""
