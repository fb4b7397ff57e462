"""Schema migrations: run `upgrade head`, or tell whether the schema is current.

Alembic runs on a connection we hand it (`config.attributes["connection"]`), so migrations use
the same URL resolution as the bot, embedded database included.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

CHECKOUT = Path(__file__).resolve().parent.parent  # the repository, when run from one
INSTALADAS = Path(__file__).resolve().parent.parent / "db" / "migracoes"  # setup.py's copy


def pasta_das_migracoes() -> Path:
    """Where `alembic.ini` and the migrations are: the checkout's `alembic/`, or, in an
    installed wheel (the Docker image), the copy setup.py puts in `db/migracoes`."""
    if (CHECKOUT / "alembic" / "env.py").is_file() and (CHECKOUT / "alembic.ini").is_file():
        return CHECKOUT / "alembic"
    return INSTALADAS


def alembic_config() -> Config:
    """The project's Alembic config, locatable from any working directory or installation."""
    pasta = pasta_das_migracoes()
    ini = pasta / "alembic.ini" if pasta == INSTALADAS else CHECKOUT / "alembic.ini"
    config = Config(str(ini))
    config.set_main_option("script_location", str(pasta))
    return config


def head_revision() -> str | None:
    """The newest revision in `alembic/versions`."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None for an empty database)."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def is_current(engine: AsyncEngine) -> bool:
    """Whether the database schema is at head."""
    return await current_revision(engine) == head_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    await _run(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    """Revert migrations down to `revision`."""
    await _run(engine, lambda config: command.downgrade(config, revision))


async def _run(engine: AsyncEngine, action: Callable[[Config], object]) -> None:
    def apply(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config)

    async with engine.begin() as connection:
        await connection.run_sync(apply)
