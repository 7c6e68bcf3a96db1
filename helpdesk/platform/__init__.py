"""What every domain stands on; it imports no domain.

- ``db``: column types and mixins (UTC datetimes, JSON, ``ClientOwned``), ``utcnow``
- ``models``: the event log, the outbox, idempotency keys, per-client counters
- ``tenancy``: ``TenantScope``, the one scoping helper for every query on client data
- ``events``: record and read the per-client event log (``record``, ``Actor``)
- ``outbox``: work written with the change, enqueued after commit (``add``, ``commit``)
- ``counters``, ``idempotency``, ``pagination``, ``cache``, ``security``, ``sqlite``, ``retention``
"""
