"""What the mail commands of ``flask helpdesk`` do: serve SMTP, import mail files."""

from __future__ import annotations

import logging
import mailbox
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import click

from helpdesk.channels.email import ingest as email_ingest
from helpdesk.channels.email.ingest import IngestOptions
from helpdesk.client import clients
from helpdesk.extensions import db

log = logging.getLogger(__name__)
IMPORT_BATCH = 500
# Old mail is filed, not answered: no acknowledgements, no loop limit.
IMPORT_OPTIONS = IngestOptions(auto_ack=False, rate_limit=False)
OUTCOME_LABELS = (("created", "tickets created"), ("appended", "messages appended"), ("duplicate", "duplicates"),
                  ("quarantined", "quarantined"), ("bounce", "bounces"), ("ignored", "ignored"),
                  ("unreadable", "unreadable files"))


def serve(controller, label: str) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    log.info("%s", label)
    try:
        stop.wait()
    finally:
        controller.stop()


def client_id_for(slug: str) -> int:
    return clients.by_slug(slug).id


def mail_sources(paths: Iterable[str]) -> list[Callable[[], bytes]]:
    """One loader per message in the given .eml files, directories, mbox files and maildirs."""
    loaders: list[Callable[[], bytes]] = []
    for path in map(Path, paths):
        if path.is_dir() and any((path / sub).is_dir() for sub in ("cur", "new")):
            box = mailbox.Maildir(str(path), factory=None, create=False)
            loaders += [lambda key=key, box=box: box.get_bytes(key) for key in sorted(box.iterkeys())]
        elif path.is_dir():
            loaders += mail_sources(str(child) for child in sorted(path.iterdir())
                                    if child.is_dir() or child.suffix.lower() in (".eml", ".mbox", ".mbx"))
        elif _is_mbox(path):
            box = mailbox.mbox(str(path), create=False)
            loaders += [lambda key=key, box=box: box.get_bytes(key) for key in box.iterkeys()]
        else:
            loaders.append(path.read_bytes)
    return loaders


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def import_paths(client_id: int, paths: Iterable[str], *, show_progress: bool = True) -> Counter:
    loaders = mail_sources(paths)
    counts: Counter = Counter()
    with click.progressbar(length=len(loaders), label="Importing mail", file=None if show_progress else _Null(),
                           show_pos=True) as bar:
        for start in range(0, len(loaders), IMPORT_BATCH):
            batch = loaders[start:start + IMPORT_BATCH]
            for outcome in import_batch(client_id, batch):
                counts[outcome] += 1
            bar.update(len(batch))
    return counts


def import_batch(client_id: int, loaders: list[Callable[[], bytes]]) -> list[str]:
    """Store a batch of raw messages in one commit, then file them together in one more."""
    rows, outcomes = [], []
    for load in loaders:
        try:
            rows.append(email_ingest.add_raw(client_id, load(), "import"))
        except OSError:
            outcomes.append("unreadable")
    db.session.commit()
    if rows:
        outcomes += [result.outcome for result in email_ingest.file_batch(rows, IMPORT_OPTIONS)]
    return outcomes


def summary_line(counts: Counter) -> str:
    total = sum(counts.values())
    parts = [f"{counts.get(key, 0)} {label}" for key, label in OUTCOME_LABELS if counts.get(key) or key in
             ("created", "appended", "duplicate", "quarantined")]
    extra = [f"{count} {key}" for key, count in counts.items() if key not in dict(OUTCOME_LABELS)]
    return f"Imported {total} messages: " + ", ".join(parts + extra)


class _Null:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass
