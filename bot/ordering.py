"""Update ordering: one user's updates run in order, and never block anybody else's.

PTB's default processor either runs every update in sequence (one slow reply stalls all users)
or all concurrently (a user's "/novo" and their next answer race). This one runs updates
concurrently across (chat, user) pairs and strictly in arrival order within each pair.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Serialise updates per (chat, user); run different pairs concurrently."""

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        *,
        envolver: Callable[[object], AbstractAsyncContextManager[None]] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        # Around each update's run (the inbox: its exactly-once context and its mark of done).
        self._envolver = envolver or (lambda _update: contextlib.nullcontext())
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._users: dict[tuple[int, int], int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the same pair's earlier updates, then run this one."""
        key = _key(update)
        if key is None:
            async with self._envolver(update):
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._envolver(update):
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # last one out forgets the pair: no unbounded growth
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _key(update: object) -> tuple[int, int] | None:
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat.id if update.effective_chat else 0
    user = update.effective_user.id if update.effective_user else 0
    return None if chat == user == 0 else (chat, user)
