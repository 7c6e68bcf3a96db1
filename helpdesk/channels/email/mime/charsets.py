"""Charset decoding the way mail clients do it, for the labels mail programs really send.

Labels are mapped to the superset codec a sender actually meant (ISO-8859-1 text
from Windows is cp1252, GB2312 is GB18030, ks_c_5601-1987 is cp949); missing,
unknown or lying labels fall back to UTF-8 when the bytes are valid UTF-8 and
to cp1252 otherwise. Decoding never raises.
"""

from __future__ import annotations

import codecs

ALIASES = {
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "ks_c_5601-1989": "cp949", "ksc5601": "cp949",
    "euc-kr": "cp949", "x-windows-949": "cp949", "windows-949": "cp949",
    "windows-874": "cp874", "tis-620": "cp874", "iso-8859-11": "cp874", "x-windows-874": "cp874",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "euc-cn": "gb18030",
    "cp936": "gb18030", "x-euc-cn": "gb18030", "chinese": "gb18030",
    "big5": "big5hkscs", "x-x-big5": "big5hkscs", "cn-big5": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "iso8859-1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "ansi_x3.4-1968": "cp1252", "iso-ir-6": "cp1252",
    "windows-1252": "cp1252", "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932", "csshiftjis": "cp932",
    "iso-2022-jp": "iso2022_jp_ext", "csiso2022jp": "iso2022_jp_ext", "iso-2022-jp-2": "iso2022_jp_2",
    "euc-jp": "euc_jis_2004", "x-euc-jp": "euc_jis_2004",
    "iso-8859-8-i": "iso-8859-8", "iso-8859-6-i": "iso-8859-6", "iso-8859-8-e": "iso-8859-8",
    "x-mac-roman": "mac_roman", "macintosh": "mac_roman", "mac": "mac_roman",
    "x-mac-cyrillic": "mac_cyrillic", "unicode-1-1-utf-7": "utf-7", "utf7": "utf-7",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "ucs-2": "utf-16", "unicode": "utf-16",
}
# Labels that say nothing: decide from the bytes.
UNKNOWN = {"unknown-8bit", "x-unknown", "x-user-defined", "unknown", "default", "charset", "8bit", "none",
           "x-binaryenc", "binary"}
FALLBACK = "cp1252"


def codec_for(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when the label tells us nothing."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if not name or name in UNKNOWN:
        return None
    name = ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Decode text bytes from a mail part or header; never raises."""
    codec = codec_for(label)
    if codec is not None:
        if codec in ("cp1252", "ascii") and _is_utf8(data) and not data.isascii():
            # A UTF-8 body labelled latin-1/ascii is the commonest lie in mail.
            return data.decode("utf-8")
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, UnicodeError, LookupError):
            pass
        if codec.startswith("iso2022_jp") and data.isascii():
            # 7-bit, so "valid UTF-8" below would show the escape sequences as text.
            try:
                return _iso2022_jp_windows(data)
            except ValueError:  # UnicodeDecodeError too
                return data.decode(codec, errors="replace")
    if _is_utf8(data):
        return data.decode("utf-8")
    if codec is not None:
        return data.decode(codec, errors="replace")
    return data.decode(FALLBACK, errors="replace")


JIS_ESCAPES = {b"\x1b(B": "ascii", b"\x1b(J": "ascii", b"\x1b(I": "kana", b"\x1b$@": "jis", b"\x1b$B": "jis"}


def _iso2022_jp_windows(data: bytes) -> str:
    """ISO-2022-JP as Windows writes it (Outlook, code page 50220/50221), read as mail clients do (the
    WHATWG decoder): JIS X 0208 with the NEC special characters of row 13 (① ㈱ Ⅱ) and the IBM kanji of
    rows 89-92 (髙 﨑), and half-width katakana. Each double-byte pair goes through cp932, which has them.
    Raises ValueError for what this is not (JIS X 0212, a broken pair)."""
    out, mode, position = bytearray(), "ascii", 0
    while position < len(data):
        byte = data[position]
        if byte == 0x1b:
            mode = JIS_ESCAPES.get(data[position:position + 3]) or _raise(f"escape at {position}")
            position += 3
        elif byte in (0x0e, 0x0f):  # SO / SI: half-width katakana in and out (code page 50222)
            mode = "kana" if byte == 0x0e else "ascii"
            position += 1
        elif byte in (0x0a, 0x0d) or mode == "ascii":
            out.append(byte)
            position += 1
        elif mode == "kana":
            out.append(byte + 0x80 if 0x21 <= byte <= 0x5f else _raise(f"kana byte {byte:#x}"))
            position += 1
        else:
            first, second = byte, data[position + 1] if position + 1 < len(data) else 0
            if not (0x21 <= first <= 0x7e and 0x21 <= second <= 0x7e):
                _raise(f"JIS pair at {position}")
            lead = (first - 0x21) // 2 + 0x81
            out += bytes([lead + 0x40 if lead > 0x9f else lead,
                          second + 0x7e if first % 2 == 0 else second + (0x1f if second < 0x60 else 0x20)])
            position += 2
    return out.decode("cp932")


def _raise(reason: str):
    raise ValueError(f"not ISO-2022-JP: {reason}")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
