"""Tickets, their messages and contacts: the core every channel files into.

- ``models``: ``Ticket``, ``Message``, ``Attachment``, ``Contact``, ``Macro`` and the status/channel names
- ``service``: create, change and list tickets; customer and agent messages
- ``followups``: the after-commit work a ticket change asks for (route, drain, survey) by job name
- ``merge``, ``search``, ``macros``, ``summaries`` (what events carry), ``html``, ``storage``
- ``schemas``: the ticket, message and contact shapes of the REST and staff APIs
"""
