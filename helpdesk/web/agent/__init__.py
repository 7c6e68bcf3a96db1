"""The agent workspace: ``pages`` (inbox and ticket page), ``api`` (its JSON API, /agent/api)."""
