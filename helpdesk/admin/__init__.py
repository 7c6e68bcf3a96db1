"""The BPO's operations staff set things up (the /admin pages and the CLI call these).

- ``clients`` (contracts and secrets), ``calendars``, ``regions``, ``agents``, ``macros``
- ``forms``: reading a posted form (``Fields``) and ``commit_change`` (commit, clear caches, log)
- ``demo``: the embedded default's demo data (``flask helpdesk seed-demo``)
"""
