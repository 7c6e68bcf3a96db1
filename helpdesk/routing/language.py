"""Detect a ticket's language from its text, among the languages of the client's contract.

lingua-language-detector ships its models in the wheel (no download at run
time) and is accurate on short texts; restricting it to the contract's
languages makes it both faster and more accurate. Models load lazily, in the
worker that routes (never in a web request).
"""

from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

MIN_CONFIDENCE = 0.6


@lru_cache(maxsize=32)
def _detector(codes: tuple[str, ...]) -> LanguageDetector:
    return LanguageDetectorBuilder.from_iso_codes_639_1(*(IsoCode639_1.from_str(c) for c in codes)).build()


def _known(codes: list[str]) -> tuple[str, ...]:
    known = []
    for code in codes:
        try:
            IsoCode639_1.from_str(code.lower())
        except ValueError:
            continue
        known.append(code.lower())
    return tuple(sorted(set(known)))


def detect(text: str, allowed: list[str]) -> str | None:
    """The ISO 639-1 code of ``text`` among ``allowed``, or None when unsure."""
    codes = _known(allowed)
    if not text.strip() or not codes:
        return None
    if len(codes) == 1:
        return codes[0]
    best = _detector(codes).compute_language_confidence_values(text)[0]
    if best.value < MIN_CONFIDENCE:
        return None
    return best.language.iso_code_639_1.name.lower()
