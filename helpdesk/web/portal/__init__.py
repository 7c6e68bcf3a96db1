"""The client portal (/portal): a client company's own staff read their tickets and figures and
manage their webhooks, API keys, colleagues, audit trail and privacy settings."""
