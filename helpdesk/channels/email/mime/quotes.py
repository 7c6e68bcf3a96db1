"""Separate what the customer just wrote from the quoted history below it.

Mail programs mark the start of the history differently: Gmail's "On ... wrote:",
Outlook's "-----Original Message-----" or its "From:/Sent:" block under a rule,
Apple Mail's "On <date>, at <time>, X wrote:", the same in other languages, and
plain ">" quoting. The whole text is always kept; this only finds the new part.
"""

from __future__ import annotations

import re

ATTRIBUTION = re.compile(
    r"^\s*("
    r"On\b.{0,300}\bwrote\s*:"
    r"|Am\b.{0,300}\bschrieb\b.{0,200}:"
    r"|Le\b.{0,300}\ba\s+écrit\s*:"
    r"|El\b.{0,300}\bescribió\s*:"
    r"|Em\b.{0,300}\bescreveu\s*:"
    r"|Il\b.{0,300}\bha\s+scritto\s*:"
    r"|Op\b.{0,300}\bschreef\b.{0,200}:"
    r"|Den\b.{0,300}\bskrev\b.{0,200}:"
    r"|W\s+dniu\b.{0,300}\bpisze\s*:"
    r"|.{0,200}\b\d{4}\b.{0,100}(?:написал|написала|寫道|写道|作成|님이 작성)\S*\s*:?"
    r")\s*$",
    re.IGNORECASE,
)
ORIGINAL_RULE = re.compile(
    r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|"
    r"Messaggio originale|Oorspronkelijk bericht|Forwarded message|Mensagem original|Исходное сообщение)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
HEADER_FROM = re.compile(r"^\s*\*?(From|Von|De|Da|Van|От|Fra|Från|Od)\s*:\*?\s*\S", re.IGNORECASE)
HEADER_SENT = re.compile(
    r"^\s*\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato|Verzonden|Отправлено|Sendt|Skickat|Wysłane)"
    r"\s*:\*?\s*\S", re.IGNORECASE,
)
UNDERSCORE_RULE = re.compile(r"^\s*_{10,}\s*$")
PGP_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----"
PGP_SIGNATURE = "-----BEGIN PGP SIGNATURE-----"
PGP_END = "-----END PGP SIGNATURE-----"


def _history_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if ORIGINAL_RULE.match(line) or UNDERSCORE_RULE.match(line):
            return index
        if ATTRIBUTION.match(line) or (line.strip().startswith(("On ", "Am ", "Le ", "El ")) and
                                       _wrapped_attribution(lines, index)):
            return index
        if _header_block(lines, index):
            return index
    return None


def _header_block(lines: list[str], index: int) -> bool:
    """A quoted header block: From: then Sent: (Outlook), or Sent: then From: (GMX, Web.de)."""
    following = lines[index + 1:index + 4]
    if HEADER_FROM.match(lines[index]):
        return any(HEADER_SENT.match(line) for line in following)
    return bool(HEADER_SENT.match(lines[index])) and any(HEADER_FROM.match(line) for line in following)


def _wrapped_attribution(lines: list[str], index: int) -> bool:
    """Gmail wraps long attributions: "On Mon, ... Alice <" / "alice@x> wrote:"."""
    for end in (index + 1, index + 2):
        if end < len(lines) and lines[end].strip():
            candidate = " ".join(part.strip() for part in lines[index:end + 1])
            if ATTRIBUTION.match(candidate):
                return True
    return False


def split_reply(text: str) -> tuple[str, str]:
    """(new text, quoted history). Without a recognisable history the whole text is new."""
    text = _signed_text(text)
    lines = text.split("\n")
    start = _history_start(lines)
    if start is not None:
        new, history = "\n".join(lines[:start]).strip(), "\n".join(lines[start:]).strip()
        if new:
            return _without_quoted_lines(new)[0], history
    new, quoted = _without_quoted_lines(text)
    return (new, quoted) if new else (text.strip(), "")


def _signed_text(text: str) -> str:
    """Inline PGP (a clear-signed text, RFC 4880 7.1): what was signed, without the armour headers and
    the signature block, dash-escaped lines ("- -- ") given back their dash. Other text is unchanged."""
    lines = text.split("\n")
    stripped = [line.rstrip() for line in lines]
    if PGP_SIGNED not in stripped:
        return text
    start = stripped.index(PGP_SIGNED)
    blank = next((i for i in range(start + 1, len(lines)) if not stripped[i]), None)
    signature = next((i for i in range(start + 1, len(lines)) if stripped[i] == PGP_SIGNATURE), None)
    if blank is None or signature is None or blank > signature:
        return text
    end = next((i for i in range(signature + 1, len(lines)) if stripped[i] == PGP_END), len(lines) - 1)
    signed = [line[2:] if line.startswith("- ") else line for line in lines[blank + 1:signature]]
    return "\n".join(lines[:start] + signed + lines[end + 1:])


def _without_quoted_lines(text: str) -> tuple[str, str]:
    """Drop ">" lines (inline replies keep the text between the quotes)."""
    kept, quoted = [], []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        following = next((later for later in lines[index + 1:] if later.strip()), "")
        is_attribution = ATTRIBUTION.match(line) and following.lstrip().startswith(">")
        (quoted if line.lstrip().startswith(">") or is_attribution else kept).append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip(), "\n".join(quoted)
