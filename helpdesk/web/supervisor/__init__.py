"""Supervisor pages: ``wallboard`` (/supervisor), ``reports``, ``quality`` (/supervisor/qa)."""
