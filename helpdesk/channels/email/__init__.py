"""Email both ways.

In: ``providers`` (provider wire formats to MIME), ``mime`` (reading MIME as mail programs
write it), ``ingest`` (raw intake, backlog, quarantine, reprocessing), ``filing`` (threading
onto tickets, contacts, attachments, bounces, acknowledgements), ``smtp_server`` (SMTP in and
the embedded outgoing-mail sink), ``commands`` (the CLI's serve and import).
Out: ``outbound`` (replies over SMTP with retries), ``compose`` (the MIME we send).
"""
