"""Password hashing (argon2id), API key generation / verification, and links that carry a token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# argon2id with RFC 9106's second recommended setting (64 MiB, 3 passes, 4 lanes), stated
# here rather than taken from the library so that an upgrade cannot quietly change them.
# Changing a number makes every stored hash "need rehash": it is replaced at the next sign-in.
PASSWORD_TIME_COST = 3
PASSWORD_MEMORY_KIB = 64 * 1024
PASSWORD_PARALLELISM = 4
_hasher = PasswordHasher(time_cost=PASSWORD_TIME_COST, memory_cost=PASSWORD_MEMORY_KIB,
                         parallelism=PASSWORD_PARALLELISM, hash_len=32, salt_len=16, type=Type.ID)
API_KEY_PREFIX = "hdk"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters (or another argon2 variant) than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def new_api_key() -> tuple[str, str, str]:
    """Return (full key shown once, lookup prefix, sha256 of the secret).

    The secret has 256 bits of entropy, so a fast hash is safe here: argon2 is for
    low-entropy passwords and would cost every API request tens of milliseconds.
    """
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY_PREFIX}_{prefix}_{secret}", prefix, hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_api_key(key: str) -> tuple[str, str] | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def secret_matches(secret: str, expected_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), expected_hash)


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def public_url(path: str) -> str:
    """An absolute link for mail sent by jobs (outside any request): PUBLIC_URL, else this server's host and port."""
    config = current_app.config
    base = config.get("PUBLIC_URL") or f"http://{config.get('HOST', '127.0.0.1')}:{config.get('PORT', 5000)}"
    return base.rstrip("/") + path
