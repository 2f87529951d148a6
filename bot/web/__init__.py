"""The incident pages: HTML rendered from the same facts as the Slack views and the export."""
