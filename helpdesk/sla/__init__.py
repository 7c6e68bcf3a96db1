"""Service levels: ``models`` (policies, OLA targets), ``policy`` (pure due-time arithmetic),
``clock`` (clocks on tickets: start, pause, warn, breach, sweep)."""
