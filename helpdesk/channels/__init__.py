"""How tickets arrive and replies leave: one sub-package per channel.

- ``email``: MIME parsing, threading and filing, SMTP in, replies out
- ``phone``: call logs from Twilio, JSON and CSV
- ``chat``: the live chat widget's conversations
- ``webhooks``: signed posts from a client company's own system
- ``raw`` (input kept before it is parsed), ``signatures`` (verifying senders), ``models``
"""
