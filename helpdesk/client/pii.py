"""Masking of personal data in what customers and agents write, per client, before it is stored.

The client's ``pii_masking`` settings name what is masked:

    {"cards": true, "iban": true, "emails": false, "phones": false,
     "custom": [{"name": "order number", "pattern": "ORD-\\d{6}"}]}

Payment card numbers are on unless turned off (a BPO's agents must never hold
them); the rest are off unless turned on. A match is replaced by a marker such
as ``[card •••• 4242]`` (the last four digits, as PCI DSS allows) or
``[order number removed]``. Masking happens once, where a message or subject is
stored, so the database, search index, events, webhooks, exports and report
facts only ever see the masked text.

A client's own patterns run on RE2 (linear time, no backreferences), so a
pattern cannot stall a worker however the text is crafted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2

from helpdesk.errors import ValidationFailed

MAX_CUSTOM_RULES = 20
MAX_PATTERN_LENGTH = 300
BUILT_IN = ("cards", "iban", "emails", "phones")
RULE_NAME_CHARS = r"[A-Za-z0-9 .'_-]{1,60}"
RULE_NAME = f"^{RULE_NAME_CHARS}$"  # the API schema's form of the same rule
DEFAULTS = {"cards": True, "iban": False, "emails": False, "phones": False}

# 13-19 digits, optionally grouped by single spaces or dashes, not part of a longer number.
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{6,18}\d(?!\w)")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _iban_valid(text: str) -> bool:
    compact = text.replace(" ", "")
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97 == 1


def _mask_card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group())
    if digits[0] not in "23456" or not luhn_valid(digits):  # _CARD already bounds the length
        return match.group()
    return f"[card •••• {digits[-4:]}]"


def _mask_iban(match: re.Match) -> str:
    return f"[IBAN •••• {match.group().replace(' ', '')[-4:]}]" if _iban_valid(match.group()) else match.group()


def _mask_phone(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[phone removed]" if 7 <= len(digits) <= 15 else match.group()


@dataclass(frozen=True)
class Masker:
    steps: tuple[tuple[Any, Callable | str], ...]

    def __bool__(self) -> bool:
        return bool(self.steps)

    def text(self, value: str | None) -> str | None:
        if not value:
            return value
        for pattern, replacement in self.steps:
            value = pattern.sub(replacement, value)
        return value

    def values(self, data: Any) -> Any:
        """Every string inside a JSON-like value, masked."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {key: self.values(item) for key, item in data.items()}
        if isinstance(data, list):
            return [self.values(item) for item in data]
        return data


def _re2_options():
    options = re2.Options()
    options.log_errors = False
    return options


def compile_custom(pattern: str):
    return re2.compile(pattern, _re2_options())


@lru_cache(maxsize=512)
def _compiled(settings_json: str) -> Masker:
    settings = {**DEFAULTS, **json.loads(settings_json)}
    steps: list[tuple[Any, Callable | str]] = []
    for rule in settings.get("custom") or []:
        steps.append((compile_custom(rule["pattern"]), f"[{rule['name']} removed]"))
    # Emails before phones and cards: an address may hold digits.
    if settings.get("emails"):
        steps.append((_EMAIL, "[email removed]"))
    if settings.get("iban"):
        steps.append((_IBAN, _mask_iban))
    if settings.get("cards"):
        steps.append((_CARD, _mask_card))
    if settings.get("phones"):
        steps.append((_PHONE, _mask_phone))
    return Masker(tuple(steps))


def masker(settings: dict | None) -> Masker:
    return _compiled(json.dumps(settings or {}, sort_keys=True))


def client_masker(client) -> Masker:
    return masker(client.pii_masking if client is not None else None)


def validate_settings(data: Any) -> dict:
    """Checked masking settings, or ValidationFailed naming what is wrong."""
    if not isinstance(data, dict):
        raise ValidationFailed("Masking settings must be an object.", {"pii_masking": ["must be an object"]})
    problems: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key in BUILT_IN:
            if not isinstance(value, bool):
                problems[key] = ["must be true or false"]
            clean[key] = value
        elif key != "custom":
            problems[key] = [f"unknown setting; known: {', '.join(BUILT_IN)}, custom"]
    clean["custom"] = _validate_custom(data.get("custom") or [], problems)
    if problems:
        raise ValidationFailed("The masking settings are not valid.", problems)
    return clean


def _validate_custom(rules: Any, problems: dict[str, list[str]]) -> list[dict]:
    if not isinstance(rules, list) or len(rules) > MAX_CUSTOM_RULES:
        problems["custom"] = [f"must be a list of at most {MAX_CUSTOM_RULES} rules"]
        return []
    clean = []
    for number, rule in enumerate(rules):
        name = (rule.get("name") or "").strip() if isinstance(rule, dict) else ""
        pattern = rule.get("pattern") if isinstance(rule, dict) else None
        where = f"custom.{number}"
        if not re.fullmatch(RULE_NAME_CHARS, name):
            problems[where] = ["needs a name of 1 to 60 letters, digits, spaces or . ' _ -"]
        elif not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN_LENGTH:
            problems[where] = [f"needs a pattern of 1 to {MAX_PATTERN_LENGTH} characters"]
        else:
            try:
                compiled = compile_custom(pattern)
            except re2.error as exc:
                reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
                problems[where] = [f"pattern is not valid RE2: {reason}"]
                continue
            if compiled.search(""):
                problems[where] = ["pattern must not match empty text"]
                continue
            clean.append({"name": name, "pattern": pattern})
    return clean
