"""The BPO's operations staff set things up: ``setup`` (clients, contracts, calendars, regions,
staff, macros, secrets) and ``demo`` (the embedded default's demo data)."""
