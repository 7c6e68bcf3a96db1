"""Personal data of a client's customers: the client's privacy settings, erasure of a contact
(right to erasure) and retention (old tickets and attachments deleted in batches).

- ``settings``: masking rules and retention periods, read and changed (audited)
- ``erasure``: ``erase_contact`` removes one customer's personal data, keeping report numbers
- ``retention``: the scheduled job that deletes what each client's retention periods expire

Masking itself happens where text is stored (``helpdesk.client.pii`` from ``tickets.service``).
"""
