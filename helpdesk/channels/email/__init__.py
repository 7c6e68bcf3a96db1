"""Email both ways.

In: ``providers`` (provider wire formats to MIME), ``parse`` (MIME to a message), ``ingest``
(threading, filing, quarantine), ``smtp_server`` (SMTP in), ``commands`` (CLI import).
Out: ``outbound`` (replies over SMTP with retries), ``compose`` (the MIME we send).
"""
