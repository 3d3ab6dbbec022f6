"""Attachments: PDF, JPEG and PNG checked by content, stored as files outside the database rows."""
from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import ApiError
from ..i18n import gettext as _

SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
]


@dataclass
class Upload:
    filename: str
    data: bytes


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
        if len(up.data) > max_bytes:
            fields[f"file.{i}"] = _("Filen {name} är för stor (högst 20 MB).").format(name=safe_name(up.filename))
            continue
        ctype = sniff(up.data)
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
        with open(path, "wb") as fh:
            fh.write(up.data)
        out.append(StoredFile(safe_name(up.filename), ctype, len(up.data), hashlib.sha256(up.data).hexdigest(), key))
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
