"""API errors: always JSON, Swedish by default, field by field."""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .i18n import gettext as _


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            err["fields"] = self.fields
        return {"error": err}


def validation_error(fields: dict[str, str]) -> ApiError:
    return ApiError(422, "validation_error", _("Några uppgifter behöver rättas."), fields)


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Det finns inget sådant."))


def forbidden() -> ApiError:
    return ApiError(403, "forbidden", _("Du har inte behörighet att göra det här."))


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


def _loc(loc: tuple) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
    return ".".join(parts) or "body"


def from_pydantic(exc: ValidationError) -> ApiError:
    fields: dict[str, str] = {}
    for e in exc.errors(include_url=False):
        key = _loc(e["loc"])
        if key in fields:
            continue
        fields[key] = pydantic_message(e)
    return validation_error(fields)


def pydantic_message(e: dict[str, Any]) -> str:
    t = e["type"]
    ctx = e.get("ctx") or {}
    if t == "missing":
        return _("Fältet måste fyllas i.")
    if t == "extra_forbidden":
        return _("Okänt fält.")
    if t in ("string_too_long",):
        return _("Texten är för lång (högst {n} tecken).").format(n=ctx.get("max_length"))
    if t in ("string_too_short",):
        return _("Fältet måste fyllas i.")
    if t in ("string_type",):
        return _("Ska vara text.")
    if t in ("literal_error", "enum"):
        return _("Ogiltigt värde. Tillåtna värden: {values}.").format(values=str(ctx.get("expected", "")).replace(" or ", " eller "))
    if t.startswith("date") or t.startswith("datetime"):
        return _("Ange ett datum som ÅÅÅÅ-MM-DD.")
    if t.startswith("bool"):
        return _("Ska vara true eller false.")
    if t.startswith("int") or t.startswith("float"):
        return _("Ska vara ett heltal.")
    if t in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _("Värdet är utanför det tillåtna intervallet.")
    if t in ("list_type", "too_long", "too_short"):
        return _("Ogiltig lista.")
    if t in ("model_type", "dict_type", "model_attributes_type"):
        return _("Ska vara ett objekt.")
    if t == "value_error" or t.startswith("kg_"):
        # our own validators raise PydanticCustomError/ValueError with a Swedish message already
        msg = str(e.get("msg", ""))
        return msg.removeprefix("Value error, ")
    return _("Ogiltigt värde.")
