"""Admin pages (/admin): ``pages`` (index, quarantine, mail outbox), ``setup`` (clients, calendars),
``staff`` (regions, agents, macros), ``webhooks`` (a client's outbound webhooks)."""
