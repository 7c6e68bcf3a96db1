"""Email: decoding what mail programs send, and composing what we send back."""
