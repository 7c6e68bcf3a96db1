"""Signed posts from a client company's own system: ``inbound`` (create and update tickets), ``schemas``."""
