"""Engine and session factory, built once at start-up and closed at shutdown."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

Sessions = async_sessionmaker[AsyncSession]


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """An asyncpg engine with timeouts, so a stuck database never hangs a user forever."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=10,
        echo=echo,
        connect_args={
            "timeout": 10,
            "command_timeout": 30,
            "server_settings": {"application_name": "cogep"},
        },
    )


def create_sessions(engine: AsyncEngine) -> Sessions:
    """The session factory services use as `async with sessions.begin() as s:`."""
    return async_sessionmaker(engine, expire_on_commit=False)
