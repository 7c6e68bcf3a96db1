"""Reading mail as mail programs write it: ``parse.parse_safely`` (raw bytes to a ``parsed.ParsedMail``
or a ``parsed.ParseFailure``, never an exception), with ``headers``, ``charsets``, ``bodies``,
``htmltext``, ``quotes`` (the new text above the quoted history) and ``automatic`` (auto-replies, bounces)."""
