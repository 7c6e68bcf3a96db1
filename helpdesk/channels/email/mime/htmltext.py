"""Plain text from an HTML-only email, for the text body, search and excerpts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
          "ul", "ol", "pre", "hr", "section", "article", "header", "footer", "dd", "dt"}
SKIPPED = {"script", "style", "head", "title", "template", "noscript", "xml"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quote_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "blockquote":
            self.quote_depth += 1
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.skipping:
            return
        text = re.sub(r"[ \t\r\n\f]+", " ", data)
        if self.quote_depth and text.strip():
            text = "> " * self.quote_depth + text.lstrip()
        self.parts.append(text)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # noqa: BLE001 - a broken page still yields its text so far
        pass
    text = "".join(extractor.parts).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
