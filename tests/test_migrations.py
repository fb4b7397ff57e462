"""Migrations: `upgrade head` builds exactly the models, and `downgrade base` undoes it all."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import migrations
from db.models import Base


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_head_matches_the_models(empty_engine: AsyncEngine) -> None:
    await migrations.upgrade(empty_engine)

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    assert await migrations.is_current(empty_engine)


async def test_downgrade_base_leaves_only_the_version_table(empty_engine: AsyncEngine) -> None:
    await migrations.upgrade(empty_engine)
    await migrations.downgrade(empty_engine, "base")

    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_tables) == {"alembic_version"}
        leftovers = await connection.scalar(
            text("SELECT count(*) FROM pg_proc WHERE proname = 'cogep_unaccent'")
        )
    assert leftovers == 0
    assert not await migrations.is_current(empty_engine)


async def test_a_fresh_database_is_reported_outdated(empty_engine: AsyncEngine) -> None:
    assert await migrations.current_revision(empty_engine) is None
    assert not await migrations.is_current(empty_engine)
