"""The live incident page and Sign in with Slack, rendered from the services' facts."""
