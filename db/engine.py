"""Engine and session factory, built once at start-up and closed at shutdown.

Round trips are the cost that matters on a chat bot's hot path: an explicit transaction adds a
BEGIN and a COMMIT (or ROLLBACK) to every unit of work, and a pre-ping one more per checkout.
So `Sessions` offers two doors:

    async with sessions.begin() as s: ...   a transaction: several statements, all or nothing
    async with sessions() as s: ...         autocommit: each statement is its own transaction;
                                            for reads and single-statement writes (an upsert)
    async with sessions.connect() as c: ... autocommit on a Core connection, no ORM session:
                                            for the few statements hot enough to measure it

Each door takes `efeito=False` for bookkeeping done while an update is handled that is not the
change the update asks for (dropping a stale prompt, claiming a proposal, refreshing a user's
name): the inbox-aware subclass (`bot.entrada.efeito.SessoesComEntrada`) then leaves the
update's exactly-once mark alone. Plain `Sessions` has no update to mark and ignores it.

Stale connections after a database restart are not pinged for: the first failure invalidates
the whole pool, the user is told to try again, and the next checkout reconnects.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(url: str, *, pool_size: int = 20, echo: bool = False) -> AsyncEngine:
    """An asyncpg engine with timeouts, so a stuck database never hangs a user forever."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        pool_timeout=10,
        pool_recycle=1800,
        echo=echo,
        connect_args={
            "timeout": 10,
            "command_timeout": 30,
            "server_settings": {
                "application_name": "cogep",
                # asyncpg prepares every statement, and after five runs PostgreSQL may switch to
                # a generic plan blind to the search words; measured: /buscar p99 44 -> 28 ms.
                "plan_cache_mode": "force_custom_plan",
            },
        },
    )


class Sessions:
    """The session factory services use: `begin()` for a transaction, `()` for autocommit."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._transactional = async_sessionmaker(engine, expire_on_commit=False)
        self._autocommit_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._autocommit = async_sessionmaker(self._autocommit_engine, expire_on_commit=False)

    def begin(self, *, efeito: bool = True) -> AbstractAsyncContextManager[AsyncSession]:
        """A session inside one transaction, committed at the end of the block."""
        return self._transactional.begin()

    def __call__(self, *, efeito: bool = True) -> AsyncSession:
        """A session whose statements each commit on their own."""
        return self._autocommit()

    def connect(self, *, efeito: bool = True) -> AbstractAsyncContextManager[AsyncConnection]:
        """A Core connection whose statements each commit on their own."""
        return self._autocommit_engine.connect()


def create_sessions(engine: AsyncEngine) -> Sessions:
    """The session factory for `engine`."""
    return Sessions(engine)
