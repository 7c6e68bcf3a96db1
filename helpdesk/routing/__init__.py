"""Follow the sun: regions and calendars, where a ticket waits and who takes it.

- ``models``: ``Region``, ``Calendar``, ``CalendarClosure``
- ``calendars``: business-time arithmetic; ``regions``: which region is on shift for a ticket
- ``assignment``: route a ticket, drain a queue; ``handoff``: shift ends
- ``presence``: online / away / offline; ``language``: a ticket's language from its text
"""
