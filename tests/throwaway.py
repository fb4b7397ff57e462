"""A throwaway PostgreSQL database for a test run or a benchmark: created, migrated, dropped.

The server is TEST_DATABASE_URL or DATABASE_URL when set, else `fallback` when one is given and
answers, else the embedded PostgreSQL in `workdir`. The database gets a random name, so runs
on the same server never collide.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot import migrations
from db.engine import create_engine

LOCAL_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def execute_admin(url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


async def reachable(url: str) -> bool:
    """Whether a server answers at `url` within three seconds."""
    engine = create_async_engine(url, connect_args={"timeout": 3})
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure to connect means: not this server
        return False
    else:
        return True
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def throwaway_database(
    prefix: str,
    *,
    workdir: Path,
    fallback: str | None = None,
    migrate: bool = True,
    keep: bool = False,
) -> AsyncIterator[tuple[str, str]]:
    """Yield (url, where it lives) of a fresh database, migrated to head unless told not to."""
    configured = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    server = make_url(configured or fallback or LOCAL_SERVER).set(drivername="postgresql+asyncpg")
    admin_url = server.set(database="postgres").render_as_string(hide_password=False)
    where = f"{server.host or 'socket'}:{server.port or 5432}"
    embedded = None
    if not configured and (fallback is None or not await reachable(admin_url)):
        from bot.embedded_db import EmbeddedPostgres

        embedded = EmbeddedPostgres(workdir / "pgdata")
        server = make_url(await asyncio.to_thread(embedded.start))
        admin_url = server.set(database="postgres").render_as_string(hide_password=False)
        where = "embedded PostgreSQL"
    name = f"{prefix}_{secrets.token_hex(5)}"
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        await execute_admin(admin_url, f'CREATE DATABASE "{name}"')
        try:
            if migrate:
                engine = create_engine(url)
                try:
                    await migrations.upgrade(engine)
                finally:
                    await engine.dispose()
            yield url, f"{where}, database {name}"
        finally:
            if keep:
                print(f'kept database {name}: DROP DATABASE "{name}" WITH (FORCE) when done')
            else:
                await execute_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if embedded is not None:
            embedded.stop()
