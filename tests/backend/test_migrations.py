"""The Alembic migrations are the schema: they match the models, and go down and up again."""
from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import SQLModel

import backend.models  # noqa: F401 — registers the tables
from conftest import in_thread


def _diff(sync_conn):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    ctx = MigrationContext.configure(sync_conn, opts={"compare_type": False, "render_as_batch": True})
    return compare_metadata(ctx, SQLModel.metadata)


async def test_migrated_schema_matches_the_models(kg):
    """A model change without a migration makes this fail (the app never uses create_all)."""
    async with kg.app["engine"].connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == [], diff


def test_downgrade_and_upgrade_again(tmp_path):
    from alembic import command

    from backend.migrate import alembic_config, upgrade
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"

    def tables() -> set[str]:
        import asyncio

        from sqlalchemy.ext.asyncio import create_async_engine

        async def run():
            engine = create_async_engine(url)
            async with engine.connect() as conn:
                names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            await engine.dispose()
            return names
        return asyncio.run(run())

    def steps():
        upgrade(url)
        after_up = tables()
        command.downgrade(alembic_config(url), "base")
        after_down = tables()
        upgrade(url)
        return after_up, after_down, tables()

    up, down, again = in_thread(steps)
    assert {t.name for t in SQLModel.metadata.sorted_tables} <= up
    assert down <= {"alembic_version"}
    assert again == up
