"""Opening the database: the configured server, or the embedded one when none is configured.

`open_database` waits for the server with exponential backoff (a database that is still
starting is normal in docker-compose), then hands back a `Database` holding the engine and the
session factory. `Database.close` disposes the engine and stops the embedded server, if any.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine
from tenacity import (
    AsyncRetrying,
    before_sleep_log,
    retry_if_exception,
    stop_after_delay,
    wait_exponential,
)

from bot.embedded_db import EmbeddedPostgres, default_data_dir
from bot.errors import ConfigError
from bot.settings import Settings
from db.engine import Sessions, create_engine, create_sessions

log = logging.getLogger("cogep.database")


class DatabaseUnavailable(ConfigError):
    """The database did not answer within the start-up patience."""


@dataclass
class Database:
    """The engine, its session factory and, when embedded, the server we started."""

    engine: AsyncEngine
    sessions: Sessions
    embedded: EmbeddedPostgres | None = field(default=None, repr=False)

    async def close(self) -> None:
        """Dispose the pool, then stop the embedded server we started."""
        await self.engine.dispose()
        if self.embedded is not None:
            self.embedded.stop()


def database_url(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """The URL to use and, when DATABASE_URL is unset, the embedded server backing it."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value(), None
    embedded = EmbeddedPostgres(default_data_dir(settings.data_dir))
    return embedded.start(), embedded


async def open_database(
    settings: Settings, *, patience: float | None = None, pool_size: int = 20
) -> Database:
    """Connect (starting the embedded server if needed), retrying until `patience` runs out."""
    patience = settings.db_patience if patience is None else patience
    url, embedded = database_url(settings)
    engine = create_engine(url, pool_size=pool_size)
    try:
        await _wait_until_reachable(engine, patience=patience)
    except BaseException:
        await engine.dispose()
        if embedded is not None:
            embedded.stop()
        raise
    return Database(engine=engine, sessions=create_sessions(engine), embedded=embedded)


# Answers from a server that is up: waiting will not change them, so they are told at once.
MISSING_DATABASE, REFUSED_LOGIN = "3D000", ("28000", "28P01")


def _sqlstate(exc: BaseException) -> str:
    return str(getattr(getattr(exc, "orig", None), "sqlstate", None) or "")


def _refusal(engine: AsyncEngine, exc: BaseException) -> DatabaseUnavailable | None:
    """The one line for a server that answered but will not let us in; None for an outage."""
    where = f"{engine.url.host or 'socket local'}:{engine.url.port or 5432}"
    sqlstate = _sqlstate(exc)
    if sqlstate == MISSING_DATABASE:
        return DatabaseUnavailable(
            f"O banco de dados {engine.url.database!r} não existe em {where}. Crie-o "
            f"(createdb {engine.url.database}) ou corrija o nome em DATABASE_URL."
        )
    if sqlstate in REFUSED_LOGIN:
        return DatabaseUnavailable(
            f"O PostgreSQL em {where} recusou o usuário {engine.url.username!r} "
            "(senha ou permissão). Verifique DATABASE_URL."
        )
    return None


async def _wait_until_reachable(engine: AsyncEngine, *, patience: float) -> None:
    retrying = AsyncRetrying(
        retry=retry_if_exception(
            lambda exc: (
                isinstance(exc, OperationalError | DBAPIError | OSError | TimeoutError)
                and _refusal(engine, exc) is None
            )
        ),
        wait=wait_exponential(multiplier=0.5, max=8),
        stop=stop_after_delay(patience),
        before_sleep=before_sleep_log(log, logging.WARNING),
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError, OSError, TimeoutError) as exc:
        refusal = _refusal(engine, exc)
        if refusal is not None:
            raise refusal from None
        host = engine.url.host or "socket local"
        raise DatabaseUnavailable(
            f"Banco de dados inacessível em {host}:{engine.url.port or 5432} "
            f"após {patience:.0f}s ({type(exc.__cause__ or exc).__name__}). "
            "Verifique DATABASE_URL e se o PostgreSQL está no ar."
        ) from None


# SQLSTATE classes that speak of the server, not of the query: connection exception, operator
# intervention (shutdown, "starting up"), insufficient resources (too many connections).
OUTAGE_SQLSTATE_CLASSES = ("08", "53", "57")


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` means the database could not be reached (not a bug in a query)."""
    if isinstance(exc, OperationalError | OSError | TimeoutError | PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    # No statement: it failed while connecting ("database is not accepting connections", a
    # refused login), which is what a restarting or overloaded server looks like.
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    return (
        exc.connection_invalidated
        or exc.statement is None
        or sqlstate.startswith(OUTAGE_SQLSTATE_CLASSES)
    )


async def server_facts(engine: AsyncEngine) -> tuple[int, bool]:
    """The server's major version and whether the database already holds tables."""
    async with engine.connect() as conexao:
        numero = int(await conexao.scalar(text("SHOW server_version_num")) or 0)
        tabelas = await conexao.scalar(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        )
    return numero // 10000, bool(tabelas)
