"""Local emulators of the outside world (Slack Web API, AWS Support API).

One fake of each, serving both `warroom demo` and the tests, over real HTTP on 127.0.0.1.
"""
