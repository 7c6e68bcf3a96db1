"""HTML sanitising for anything that will be shown to agents."""

from __future__ import annotations

import nh3


def sanitize_html(html: str | None) -> str | None:
    if not html:
        return None
    return nh3.clean(html, link_rel="noopener noreferrer nofollow")


def excerpt(text: str, length: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"
