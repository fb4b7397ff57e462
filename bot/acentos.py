"""Accent folding, for matching what people type (`migracao` finds `Migração`)."""

from __future__ import annotations

import unicodedata


def sem_acentos(texto: str) -> str:
    """`Migração` -> `Migracao`."""
    decomposed = unicodedata.normalize("NFKD", texto)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
