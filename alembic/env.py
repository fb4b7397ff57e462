"""Alembic environment: async; on the connection `bot.migrations` hands in (`cogep migrate`, the
bot's start-up, the tests), else, for the plain `alembic` command, on DATABASE_URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from db.models import Base

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    """DATABASE_URL from the app's settings (the embedded database needs `cogep migrate`)."""
    from bot.settings import load_settings

    configured = load_settings().database_url
    if configured is None:
        raise SystemExit(
            "DATABASE_URL não definido: use `cogep migrate`, que usa o banco embutido."
        )
    return configured.get_secret_value()


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_database_url())
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


def run() -> None:
    """Run migrations on a given connection, or open one from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    elif context.is_offline_mode():
        context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(_run_async())


run()
