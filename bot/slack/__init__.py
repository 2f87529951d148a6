"""The Slack edge: parse a command or event, call a service, render the reply.

This is the only package that imports slack_bolt.
"""
