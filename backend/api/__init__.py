"""JSON routes under /api/v1, grouped by audience."""
from aiohttp import web

from . import health, identity, intake, integration, officer, openapi, public, reporter, stats


def setup_routes(app: web.Application) -> None:
    app.add_routes(health.routes)
    app.add_routes(public.routes)
    app.add_routes(intake.routes)
    app.add_routes(identity.routes)
    app.add_routes(reporter.routes)
    app.add_routes(officer.routes)
    app.add_routes(stats.routes)
    app.add_routes(integration.routes)
    app.add_routes(openapi.routes)
