"""Shared handler helpers: JSON in and out, authentication, the per-request DB session."""
from __future__ import annotations

import hmac
import json
from datetime import date
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import ApiError, from_pydantic, validation_error
from ..i18n import gettext as _
from ..models import Officer
from ..services import auth
from ..services.attachments import Upload, UploadWriter
from ..services.cases import Deps
from ..services.ratelimit import client_address
from ..settings import Settings

M = TypeVar("M", bound=BaseModel)
MAX_JSON_BYTES = 1024 * 1024
MAX_REQUEST_BYTES = 110 * 1024 * 1024  # 5 attachments of 20 MB plus the text (aiohttp's client_max_size)


def settings_of(request: web.Request) -> Settings:
    return request.app["settings"]


def client_ip(request: web.Request) -> str:
    """The client's address (through our own proxies, see KG_TRUSTED_PROXIES), as a rate-limit key."""
    return "ip:" + client_address(request.remote, request.headers.getall("X-Forwarded-For", []),
                                  settings_of(request).trusted_proxies)


def deps_of(request: web.Request) -> Deps:
    return request.app["deps"]


def db(request: web.Request) -> AsyncSession:
    return request.app["sessionmaker"]()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(data, status=status, headers=headers,
                             dumps=lambda d: json.dumps(d, ensure_ascii=False, default=str))


async def read_json(request: web.Request) -> dict[str, Any]:
    ctype = request.content_type
    if ctype != "application/json":
        raise ApiError(415, "unsupported_media_type", _("Skicka uppgifterna som JSON (Content-Type: application/json)."))
    too_large = ApiError(413, "too_large", _("Förfrågan är för stor."))
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise too_large  # refused before a byte of it is read
    buf = bytearray()
    while chunk := await request.content.readany():  # chunked bodies: read no further than the limit
        buf.extend(chunk)
        if len(buf) > MAX_JSON_BYTES:
            raise too_large
    raw = bytes(buf)
    try:
        data = json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        # RecursionError: a body nested thousands of levels deep ("[[[[…") is not a request we accept either
        raise ApiError(400, "malformed_json", _("Förfrågan är inte giltig JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", _("Förfrågan måste vara ett JSON-objekt."))
    return data


def parse(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_pydantic(exc) from None


async def read_body_and_files(request: web.Request, model: type[M]) -> tuple[M, list[Upload]]:
    """JSON, or multipart/form-data with a `body` field and `file` parts."""
    if request.content_type == "multipart/form-data":
        try:
            fields, files = await _read_multipart(request)
        except (ValueError, RuntimeError, HttpProcessingError):
            # no boundary, broken part headers, unknown transfer encoding, a truncated body …: the client's
            # fault, so a 400 rather than the 500 these aiohttp parser errors used to become
            raise ApiError(400, "malformed_multipart", _("Bilagorna kunde inte läsas. Skicka formuläret igen, gärna med en fil i taget.")) from None
        return parse(model, fields), files
    return parse(model, await read_json(request)), []


async def _read_multipart(request: web.Request) -> tuple[dict[str, Any], list[Upload]]:
    reader = await request.multipart()
    fields: dict[str, Any] = {}
    files: list[Upload] = []
    max_bytes = settings_of(request).max_attachment_bytes
    total = 0  # request.multipart() streams past client_max_size: count here, so memory stays bounded

    async def read_part(part: BodyPartReader, limit: int, too_big: ApiError, sink: UploadWriter | None = None) -> bytes:
        nonlocal total
        data = bytearray()
        size = 0
        while chunk := await part.read_chunk(1 << 16):
            size += len(chunk)
            total += len(chunk)
            if total > MAX_REQUEST_BYTES:
                raise ApiError(413, "too_large", _("Förfrågan är för stor."))
            if size > limit:
                raise too_big
            if sink is not None:
                sink.write(chunk)  # files are spooled, not kept as bytes
            else:
                data.extend(chunk)
        return bytes(data)

    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):  # a nested multipart: not something we accept
            raise ValueError("nested multipart")
        if part.filename is not None or part.name == "file":
            name = (part.filename or "bilaga")[:80]
            sink = UploadWriter(part.filename or "bilaga")
            await read_part(part, max_bytes + 1, validation_error(
                {"file": _("Filen {name} är för stor (högst 20 MB).").format(name=name)}), sink)
            files.append(sink.finish())
            if len(files) > 50:
                raise validation_error({"file": _("För många filer.")})
        elif part.name:
            if part.name in fields:
                raise validation_error({part.name: _("Fältet finns två gånger.")})
            raw = await read_part(part, MAX_JSON_BYTES, ApiError(413, "too_large", _("Förfrågan är för stor.")))
            text = bytearray()
            async for piece in part.decode_iter(raw):  # a Content-Encoding (gzip…) is undone, within the limit
                text.extend(piece)
                if len(text) > MAX_JSON_BYTES:
                    raise ApiError(413, "too_large", _("Förfrågan är för stor."))
            fields[part.name] = text.decode("utf-8", "replace")
    return fields, files


def bearer(request: web.Request) -> str | None:
    h = request.headers.get("Authorization", "")
    if h[:7].lower() == "bearer ":
        return h[7:].strip() or None
    return None


def require_service(request: web.Request) -> None:
    token = bearer(request)
    if not token or not hmac.compare_digest(token.encode(), settings_of(request).service_token.encode()):
        raise ApiError(401, "unauthorized", _("Tjänstenyckel saknas eller är fel."),
                       headers={"WWW-Authenticate": "Bearer"})


def is_service(request: web.Request) -> bool:
    token = bearer(request)
    return bool(token) and hmac.compare_digest(token.encode(), settings_of(request).service_token.encode())


async def require_officer(request: web.Request, session: AsyncSession) -> Officer:
    token = bearer(request)
    idle = settings_of(request).officer_idle_minutes
    found = await auth.officer_for_token(session, token, idle_minutes=idle) if token else None
    if found is None:
        raise ApiError(401, "unauthorized", _("Du behöver logga in."), headers={"WWW-Authenticate": "Bearer"})
    return found[0]


def q_int(request: web.Request, name: str, lo: int, hi: int, default: int | None = None) -> int | None:
    v = request.query.get(name)
    if v in (None, ""):
        return default
    try:
        n = int(v)
    except ValueError:
        raise validation_error({name: _("Ska vara ett heltal.")}) from None
    if not lo <= n <= hi:
        raise validation_error({name: _("Värdet är utanför det tillåtna intervallet.")})
    return n


def q_date(request: web.Request, name: str) -> date | None:
    v = request.query.get(name)
    if v in (None, ""):
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise validation_error({name: _("Ange ett datum som ÅÅÅÅ-MM-DD.")}) from None


def q_str(request: web.Request, name: str, max_len: int = 100) -> str | None:
    v = request.query.get(name)
    if v in (None, ""):
        return None
    if len(v) > max_len:
        raise validation_error({name: _("Texten är för lång (högst {n} tecken).").format(n=max_len)})
    return v


def check_query(request: web.Request, allowed: set[str]) -> None:
    unknown = [k for k in request.query.keys() if k not in allowed]
    if unknown:
        raise validation_error({k: _("Okänd parameter.") for k in unknown})
