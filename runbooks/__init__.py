"""The shipped runbooks (Markdown with front matter). This folder is installed as the package
`bot.runbooks.shipped`, so a wheel carries the runbooks as package data; the Python file
exists only to make the folder importable for `importlib.resources`."""
