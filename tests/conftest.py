"""The test rig: a real PostgreSQL database for the run, a fake Bot API, and the real bot.

Database: TEST_DATABASE_URL or DATABASE_URL names a server; without either, the embedded
PostgreSQL starts in a temporary folder (`tests.throwaway`). Either way the suite creates its own
database, migrates it to head, truncates every table before each test that uses it, and drops
it at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.settings import Settings
from db.engine import create_engine, create_sessions
from db.models import Base
from tests.fake_openai import FakeOpenAI
from tests.fake_telegram import FakeTelegram
from tests.throwaway import execute_admin, throwaway_database

ADMIN_ID = 900_001


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A fresh database for this run, migrated to head, dropped at the end."""
    workdir = tmp_path_factory.mktemp("db")
    async with throwaway_database("cogep_test", workdir=workdir) as (url, _):
        yield url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The run's engine."""
    engine = create_engine(database_url, pool_size=20)
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
    admin = make_url(database_url).set(database="postgres").render_as_string(hide_password=False)
    await execute_admin(admin, f'CREATE DATABASE "{name}"')
    engine = create_async_engine(make_url(database_url).set(database=name))
    yield engine
    await engine.dispose()
    await execute_admin(admin, f'DROP DATABASE "{name}" WITH (FORCE)')


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
        "cadastro_aberto": True,  # newcomers' approval has tests of its own (test_acesso)
        "ritmo_por_chat": False,  # the fake is not Telegram; pacing has tests of its own
        "notificacoes_rodada": 0,  # scheduled notices have tests with a clock of their own
        "openai_api_key": None,
        "webhook_url": None,
        "flood_por_segundo": 0,  # stories type faster than people; flood control has its tests
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


@pytest.fixture
async def ai() -> AsyncIterator[FakeOpenAI]:
    """A fake OpenAI-compatible model on loopback (see tests.fake_openai)."""
    async with FakeOpenAI() as fake:
        yield fake


def mentor_settings(
    tg: FakeTelegram, database_url: str, ai: FakeOpenAI, **overrides: Any
) -> Settings:
    """Settings with the mentor pointed at the fake model, with short timeouts."""
    values: dict[str, Any] = {
        "openai_api_key": "sk-test",
        "openai_base_url": ai.base_url,
        "openai_model": ai.modelo,
        "mentor_timeout": 2.0,
        "mentor_tentativas": 1,
        "mentor_espera_maxima": 1.0,
    }
    values.update(overrides)
    return make_settings(tg, database_url, **values)


@pytest.fixture
async def professor(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI
) -> AsyncIterator[CogepApplication]:
    """The real Cogep application with the mentor talking to the fake model."""
    app = build_application(mentor_settings(tg, database_url, ai), database=database)
    async with serving(app, poll_timeout=1):
        yield app
