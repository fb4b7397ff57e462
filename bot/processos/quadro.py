"""The board's shape: the processos a user sees, in one column per status.

`ProcessoService.quadro` fills it (the same visibility and, for text, the same search as
`/buscar`); the Mini App (`bot.quadro`) serves it as JSON. A column holds at most `POR_COLUNA`
cards: open columns soonest deadline first (so what is late leads), closed ones newest first;
open columns carry their total, closed ones do not (the whole history would have to be counted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from db.models import ABERTOS, STATUS, Usuario
from db.repositories.quadro import CONTAGEM_MAX, Cartao

__all__ = [
    "BUSCA_MAX", "CONTAGEM_MAX", "POR_COLUNA", "Cartao", "Coluna", "Filtros", "Quadro",
    "atrasado", "em_colunas", "filtrar",
]  # fmt: skip

POR_COLUNA = 20  # a phone shows a handful; the total says how many more there are
BUSCA_MAX = 100  # a text search fills the board with its best matches


@dataclass(frozen=True)
class Filtros:
    """What the page narrows the board to; `responsavel_id` 0 is nobody yet (gestores only)."""

    meus: bool = False
    atrasados: bool = False
    responsavel_id: int | None = None
    texto: str = ""


@dataclass(frozen=True)
class Coluna:
    """One status: its cards and, for open statuses, how many there are in all."""

    status: str
    processos: list[Cartao]
    total: int | None


@dataclass(frozen=True)
class Quadro:
    """The board as one user sees it at `agora`."""

    colunas: list[Coluna]
    agora: datetime


def atrasado(processo: Cartao, agora: datetime) -> bool:
    """Open with its deadline passed: the card shows it in red."""
    return processo.status in ABERTOS and processo.prazo is not None and processo.prazo < agora


def _ordem(processo: Cartao) -> tuple[object, ...]:
    if processo.status in ABERTOS:  # soonest deadline first, none last; then newest
        prazo = processo.prazo.timestamp() if processo.prazo else float("inf")
        return (prazo, -processo.id)
    return (-processo.criado_em.timestamp(),)


def em_colunas(
    processos: Iterable[Cartao], totais: dict[str, int] | None, *, agora: datetime
) -> Quadro:
    """Group cards by status, ordered as the board shows them; `totais` None: count the cards
    (a search result is all there is)."""
    por_status: dict[str, list[Cartao]] = {status: [] for status in STATUS}
    for processo in processos:
        por_status[processo.status].append(processo)
    colunas = []
    for status, cartoes in por_status.items():
        if totais is None:
            total: int | None = len(cartoes)
        else:
            total = totais.get(status, 0) if status in ABERTOS else None
            cartoes.sort(key=_ordem)
        colunas.append(Coluna(status=status, processos=cartoes[:POR_COLUNA], total=total))
    return Quadro(colunas=colunas, agora=agora)


def filtrar(
    processos: Iterable[Cartao], usuario: Usuario, filtros: Filtros, *, agora: datetime
) -> list[Cartao]:
    """The filters applied to search results (the SQL twin is `db.repositories.quadro`)."""
    achados = []
    for p in processos:
        if filtros.meus and usuario.id not in (p.solicitante_id, p.responsavel_id):
            continue
        if filtros.atrasados and not atrasado(p, agora):
            continue
        if filtros.responsavel_id is not None and p.responsavel_id != (
            filtros.responsavel_id or None
        ):
            continue
        achados.append(p)
    return achados
