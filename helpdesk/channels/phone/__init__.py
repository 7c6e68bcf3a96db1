"""Phone call logs: ``adapters`` turn provider formats into a ``calls.CallUpdate``; ``calls`` files it."""
