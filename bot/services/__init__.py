"""Use cases. Each takes a `ServiceContext` (database, clock, chat and support ports) so a
test can run it without Slack or AWS."""
