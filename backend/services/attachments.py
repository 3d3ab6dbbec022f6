"""Attachments: PDF, JPEG and PNG checked by content, stored as files outside the database rows."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import ApiError
from ..i18n import gettext as _

SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
]


SPOOL_IN_MEMORY = 1 << 20  # files up to 1 MB stay in memory; larger ones go to an unnamed temporary file


@dataclass
class Upload:
    """A received file: its content spooled (never a 20 MB bytes object per file in memory), its size,
    first bytes (for the content check) and SHA-256, counted while it was read."""
    filename: str
    file: BinaryIO
    size: int
    head: bytes
    sha256: str

    @classmethod
    def from_bytes(cls, filename: str, data: bytes) -> "Upload":
        w = UploadWriter(filename)
        w.write(data)
        return w.finish()


class UploadWriter:
    """Builds an Upload chunk by chunk. The temporary file has no name on disk: it disappears when it is
    closed or garbage-collected, so a refused request leaves nothing behind."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.file: BinaryIO = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # type: ignore[assignment]
        self.size = 0
        self.head = b""
        self._hash = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        if len(self.head) < 16:
            self.head += chunk[: 16 - len(self.head)]
        self.file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def finish(self) -> Upload:
        self.file.seek(0)
        return Upload(self.filename, self.file, self.size, self.head, self._hash.hexdigest())


@dataclass
class StoredFile:
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str


def sniff(data: bytes) -> str | None:
    for magic, ctype, _ext in SIGNATURES:
        if data.startswith(magic):
            return ctype
    return None


def safe_name(name: str) -> str:
    base = os.path.basename(name or "bilaga").strip() or "bilaga"
    base = re.sub(r"[^\w.\- ]", "_", base, flags=re.UNICODE)
    return base[:120]


def check(uploads: list[Upload], max_files: int, max_bytes: int) -> list[str]:
    """Returns the content types; raises a field-by-field ApiError for anything not accepted."""
    if len(uploads) > max_files:
        raise ApiError(422, "validation_error", _("Några uppgifter behöver rättas."),
                       {"file": _("Du kan bifoga högst {n} filer.").format(n=max_files)})
    types: list[str] = []
    fields: dict[str, str] = {}
    for i, up in enumerate(uploads):
        if up.size > max_bytes:
            fields[f"file.{i}"] = _("Filen {name} är för stor (högst 20 MB).").format(name=safe_name(up.filename))
            continue
        ctype = sniff(up.head)
        if ctype is None:
            fields[f"file.{i}"] = _("Filen {name} går inte att bifoga. Bara PDF, JPEG och PNG fungerar.").format(
                name=safe_name(up.filename))
            continue
        types.append(ctype)
    if fields:
        raise ApiError(422, "validation_error", _("Några uppgifter behöver rättas."), fields)
    return types


def store(root: str, case_id: int, uploads: list[Upload], types: list[str]) -> list[StoredFile]:
    folder = Path(root) / str(case_id)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[StoredFile] = []
    for up, ctype in zip(uploads, types):
        key = f"{case_id}/{uuid.uuid4().hex}"
        path = Path(root) / key
        up.file.seek(0)
        with open(path, "wb") as fh:
            shutil.copyfileobj(up.file, fh, 1 << 16)
        out.append(StoredFile(safe_name(up.filename), ctype, up.size, up.sha256, key))
    return out


def remove(root: str, keys: list[str]) -> int:
    n = 0
    for key in keys:
        try:
            (Path(root) / key).unlink()
            n += 1
        except FileNotFoundError:
            pass
    return n


def path_of(root: str, key: str) -> Path:
    return Path(root) / key
