"""How services tell people about changes without knowing about Telegram.

A `Notifier` takes a user's Telegram id and a Telegram-HTML text. Until the notices issue brings
the durable, deduplicated delivery log, the app wires a notifier that sends directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

Acoes = Sequence[tuple[str, str]]
"""Buttons under a notice: (label, callback data)."""


class Notifier(Protocol):
    """Delivers a short notice to one user."""

    async def notify(self, telegram_id: int, html: str, *, acoes: Acoes = ()) -> None:
        """Send `html` (with buttons) to the user; never raise for one who cannot be reached."""


class SilentNotifier:
    """A notifier that drops everything (the console, and tests that do not look)."""

    async def notify(self, telegram_id: int, html: str, *, acoes: Acoes = ()) -> None:
        """Drop the notice."""
