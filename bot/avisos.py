"""How services tell people about changes without knowing about Telegram.

A `Notifier` takes a user's Telegram id and a Telegram-HTML text. Until the notices issue brings
the durable, deduplicated delivery log, the app wires a notifier that sends directly.
"""

from __future__ import annotations

from typing import Protocol


class Notifier(Protocol):
    """Delivers a short notice to one user."""

    async def notify(self, telegram_id: int, html: str) -> None:
        """Send `html` to the user; never raise for a user who cannot be reached."""


class SilentNotifier:
    """A notifier that drops everything (the console, and tests that do not look)."""

    async def notify(self, telegram_id: int, html: str) -> None:
        """Drop the notice."""
