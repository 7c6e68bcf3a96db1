"""The BPO's staff accounts: ``models`` (``Agent``, roles, presence log), ``accounts`` (create, sign in)."""
