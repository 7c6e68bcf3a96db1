"""Outgoing headers: the customer's address survives whatever their display name holds."""

from __future__ import annotations

import email
from email.policy import default as default_policy

import pytest

from helpdesk.channels.email.compose import Outgoing, compose

NAMES = [
    "Plain Name",
    'Zoë "Z" Müller, Jr.',
    "A" * 120,
    'Cy <img src=x onerror="window.__xss = 1"><script>window.__xss = 2; alert(1)</script>',
    "Evil <attacker@evil.example>; other@evil.example",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_to_header_names_only_the_customers_address(name):
    out = Outgoing(from_address="support@acme.example", from_name=name, to_address="c@customer.example",
                   to_name=name, subject="Re: [#ACME-1] Hello", text="Hi", html=None, message_id="<m@x>")
    parsed = email.message_from_bytes(compose(out).as_bytes(), policy=default_policy)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["c@customer.example"]
    assert [a.addr_spec for a in parsed["From"].addresses] == ["support@acme.example"]
    if "<" not in name:
        assert parsed["To"].addresses[0].display_name == name  # ordinary names are kept exactly
