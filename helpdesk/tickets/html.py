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


def _block_remote_images(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute in ("src", "srcset") and not value.startswith(("/agent/api/", "data:")):
        return None  # tracking pixels and remote images wait until an agent allows them
    return value


def html_for_display(html: str | None, *, remote_images: bool) -> str:
    """Stored (already sanitised) email HTML as shown in the workspace's sandboxed frame."""
    if not html:
        return ""
    if remote_images:
        return nh3.clean(html, link_rel="noopener noreferrer nofollow")
    return nh3.clean(html, link_rel="noopener noreferrer nofollow", attribute_filter=_block_remote_images)
