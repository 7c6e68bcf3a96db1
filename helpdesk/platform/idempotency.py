"""Idempotency-Key handling: a retried POST returns what the first one created."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from helpdesk.errors import AppError
from helpdesk.extensions import db
from helpdesk.platform.models import IdempotencyKey
from helpdesk.platform.tenancy import TenantScope


@dataclass(frozen=True)
class IdempotencyRequest:
    scope: str
    key: str
    fingerprint: str

    @classmethod
    def build(cls, scope: str, key: str | None, body: bytes) -> IdempotencyRequest | None:
        if not key:
            return None
        if len(key) > 255:
            raise AppError("Idempotency-Key is longer than 255 characters.",
                           {"Idempotency-Key": ["Longer than 255 characters."]}, status=400)
        return cls(scope, key, hashlib.sha256(body).hexdigest())


def lookup(tenant: TenantScope, request: IdempotencyRequest) -> IdempotencyKey | None:
    found = db.session.scalar(tenant.select(
        IdempotencyKey, IdempotencyKey.scope == request.scope, IdempotencyKey.key == request.key))
    if found is not None and found.fingerprint != request.fingerprint:
        raise AppError(
            "This Idempotency-Key was used with a different request body.",
            {"Idempotency-Key": ["Reused with a different request."]},
            code="idempotency_key_reused", status=422,
        )
    return found


def remember(client_id: int, request: IdempotencyRequest, resource_type: str, resource_id: int,
             status_code: int, response_body: dict | None = None) -> None:
    db.session.add(IdempotencyKey(
        client_id=client_id, scope=request.scope, key=request.key, fingerprint=request.fingerprint,
        resource_type=resource_type, resource_id=resource_id, status_code=status_code,
        response_body=response_body,
    ))
