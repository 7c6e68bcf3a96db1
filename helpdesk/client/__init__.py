"""The client company (tenant): its record, contract, support addresses, API keys and secrets.

- ``models``: ``Client``, ``SupportAddress``, ``ApiKey``, ``WebhookEndpoint``, ``WebhookDelivery``
- ``clients``: create a client, issue and verify API keys, look a client up by slug or address
"""
