"""The test rig: a real PostgreSQL database for the run, a fake Bot API, and the real bot.

Database: TEST_DATABASE_URL or DATABASE_URL names a server; without either, the embedded
PostgreSQL starts in a temporary folder. Either way the suite creates its own database, migrates
it to head, truncates every table before each test that uses it, and drops it at the end.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot import migrations
from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.settings import Settings
from db.engine import create_engine, create_sessions
from db.models import Base
from tests.fake_telegram import FakeTelegram

ADMIN_ID = 900_001


def _server_url(tmp_root: Path) -> tuple[str, Any]:
    """A URL of a server to create the test database on, and an embedded server to stop."""
    configured = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if configured:
        url = make_url(configured).set(drivername="postgresql+asyncpg")
        return url.render_as_string(hide_password=False), None
    from bot.embedded_db import EmbeddedPostgres

    embedded = EmbeddedPostgres(tmp_root / "pgdata")
    return embedded.start(), embedded


async def _admin(url: str, sql: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for this run, migrated to head."""
    server, embedded = _server_url(tmp_path_factory.mktemp("db"))
    name = f"cogep_test_{uuid.uuid4().hex[:10]}"
    admin_url = make_url(server).set(database="postgres").render_as_string(hide_password=False)
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield url
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if embedded is not None:
            embedded.stop()


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The run's engine, after `upgrade head`."""
    engine = create_engine(database_url, pool_size=20)
    await migrations.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def database(engine: AsyncEngine) -> Database:
    """The run's database, emptied before the test."""
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return Database(engine=engine, sessions=create_sessions(engine))


@pytest.fixture
async def empty_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a brand-new, empty database of its own (for migration tests)."""
    name = f"cogep_mig_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(
        make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_async_engine(make_url(database_url).set(database=name))
    yield engine
    await engine.dispose()
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram Bot API on loopback."""
    async with FakeTelegram() as fake:
        yield fake


def make_settings(tg: FakeTelegram, database_url: str, **overrides: Any) -> Settings:
    """Settings pointing at the fake Bot API and the test database."""
    values: dict[str, Any] = {
        "telegram_bot_token": tg.token,
        "telegram_api_base_url": tg.base_url,
        "telegram_file_base_url": tg.base_file_url,
        "database_url": database_url,
        "admin_telegram_ids": frozenset({ADMIN_ID}),
        "openai_api_key": None,
        "webhook_url": None,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def bot(
    tg: FakeTelegram, database: Database, database_url: str
) -> AsyncIterator[CogepApplication]:
    """The real Cogep application, polling the fake Bot API."""
    app = build_application(make_settings(tg, database_url), database=database)
    async with serving(app, poll_timeout=1):
        yield app
