"""Attachment storage behind a small interface, so an object store can replace the disk.

Content-addressed by SHA-256: the same file sent twice is stored once, a write
is atomic (temporary file, then rename), and a key never changes meaning.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app


class AttachmentStore(Protocol):
    def put(self, data: bytes) -> str: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalAttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(ch in "0123456789abcdef" for ch in key):
            raise KeyError(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def attachment_store() -> AttachmentStore:
    return LocalAttachmentStore(Path(current_app.config["INSTANCE_DIR"]) / "attachments")
