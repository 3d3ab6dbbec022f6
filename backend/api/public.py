"""Public catalogue routes: taxonomy, regions, units."""
from aiohttp import web
from sqlmodel import select

from .. import catalogue
from ..errors import not_found, validation_error
from ..hsa import is_hsa_id
from ..i18n import gettext as _
from ..models import CareUnit, Region
from ..services import units
from .common import check_query, db, json_response, q_int, q_str

routes = web.RouteTableDef()


@routes.get("/api/v1/taxonomy")
async def taxonomy(request: web.Request) -> web.Response:
    return json_response(catalogue.translated_taxonomy())


@routes.get("/api/v1/regions")
async def regions(request: web.Request) -> web.Response:
    async with db(request) as session:
        out = []
        for r in (await session.exec(select(Region).order_by(Region.name))).all():
            pb = await units.patient_board_of(session, r.code)
            out.append({"code": r.code, "name": r.name,
                         "patient_board": {"id": pb.id, "name": pb.name} if pb else None})
    return json_response({"regions": out})


@routes.get("/api/v1/units")
async def search_units(request: web.Request) -> web.Response:
    check_query(request, {"q", "limit", "region"})
    q = q_str(request, "q", 200)
    if not q or not q.strip():
        raise validation_error({"q": _("Skriv vad mottagningen heter.")})
    limit = q_int(request, "limit", 1, 20, 5)
    region = q_str(request, "region", 40)
    async with db(request) as session:
        found = await units.search(session, q, limit=limit, region=region)
        results = [await units.unit_view(session, u, score) for u, score in found]
    return json_response({"results": results})


@routes.get("/api/v1/units/{hsa_id}")
async def get_unit(request: web.Request) -> web.Response:
    hsa_id = request.match_info["hsa_id"]
    if not is_hsa_id(hsa_id):
        raise not_found()
    async with db(request) as session:
        unit = await session.get(CareUnit, hsa_id)
        if unit is None:
            raise not_found()
        return json_response(await units.unit_view(session, unit))
