"""What supervisors watch and measure.

- ``wallboard``: live figures; ``actions``: reassign, move, priority, set away from the board
- ``facts`` and ``reports``: report facts kept as tickets change, and the reports read from them
- ``csat``: satisfaction surveys; ``quality``: QA reviews against a rubric; ``models``
"""
