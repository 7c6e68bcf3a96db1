"""Write the mail corpus: messages/<group>/NNN-slug.eml, anchors/*.eml and expected.json.

Run from anywhere: ``python tests/mail_corpus/build_corpus.py [--out DIR]``.
The fixtures live in groups/<group>.py (one list per kind of mail program or
problem); this numbers them, writes the bytes and collects the expectations.
Deterministic: the same sources give byte-identical files.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kit import ACME, ALICE, ANCHOR_1, ANCHOR_CLOSED, BOB, DATE, GLOBEX, GLOBEX_ANCHOR, simple, wire  # noqa: E402

GROUPS = ("outlook", "gmail", "apple", "thunderbird", "mobile", "webmail", "structure", "threading", "replies",
          "oof", "autoreply", "lists", "dsn", "bounce", "charset", "encodings", "malformed", "broken", "hostile")

ANCHORS = [
    ("anchor-1.eml", simple("My printer is on fire. Please help.\n", subject="Printer on fire",
                            message_id=ANCHOR_1, sender=f"Alice Customer <{ALICE}>", to=ACME),
     {"client": "acme", "ticket": "ACME-1", "status": "open"}),
    ("anchor-closed.eml", simple("Where is my invoice from March?\n", subject="Old invoice question",
                                 message_id=ANCHOR_CLOSED, sender=f"Alice Customer <{ALICE}>", to=ACME),
     {"client": "acme", "ticket": "ACME-2", "status": "closed"}),
    ("anchor-globex.eml", simple("Our shipment is two weeks late.\n", subject="Globex shipping delay",
                                 message_id=GLOBEX_ANCHOR, sender=f"Bob Buyer <{BOB}>", to=GLOBEX, date=DATE),
     {"client": "globex", "ticket": "GLOBEX-1"}),
]


def build(out: Path) -> int:
    for sub in ("messages", "anchors"):
        shutil.rmtree(out / sub, ignore_errors=True)
    (out / "anchors").mkdir(parents=True)
    anchors = []
    for name, text, meta in ANCHORS:
        (out / "anchors" / name).write_bytes(wire(text))
        anchors.append({"file": f"anchors/{name}", **meta})
    messages = []
    for group in GROUPS:
        module = importlib.import_module(f"groups.{group}")
        folder = out / "messages" / group
        folder.mkdir(parents=True)
        slugs = set()
        for number, item in enumerate(module.FIXTURES, start=1):
            assert item.slug not in slugs, f"{group}: slug {item.slug} twice"
            slugs.add(item.slug)
            name = f"{number:03d}-{item.slug}.eml"
            (folder / name).write_bytes(item.raw)
            messages.append({"file": f"{group}/{name}", "client": "acme", **item.expect})
    document = {"anchors": anchors, "messages": messages}
    (out / "expected.json").write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    count = build(parser.parse_args().out)
    print(f"wrote {count} messages")


if __name__ == "__main__":
    main()
