"""Business logic. Services own transactions and know nothing of HTTP requests."""
