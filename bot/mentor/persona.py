"""The persona: `persona.txt` beside this module, read once at start-up."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def carregar_persona() -> str:
    """The persona text shipped with the package."""
    return resources.files("bot.mentor").joinpath("persona.txt").read_text(encoding="utf-8").strip()
