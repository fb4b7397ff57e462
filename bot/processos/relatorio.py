"""/relatorio [semana|mes]: the team's numbers (a membro's own) as a short text and a chart.

`RelatorioService.gerar` reads in one short read-only session (a few aggregate statements of
`db.repositories.relatorios`, each scoped by `visivel_para`), then draws the chart in a worker
thread, after the session is closed: matplotlib never holds a connection nor the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import texts
from bot.acentos import sem_acentos
from bot.errors import InvalidInput
from bot.processos.grafico import desenhar
from bot.usuarios.regras import gerencia
from db.engine import Sessions
from db.models import Usuario
from db.repositories import relatorios as repo

PERIODOS = {"semana": (7, 8), "mes": (30, 13)}  # days of the numbers, weeks in the chart
SINONIMOS = {"semana": "semana", "semanal": "semana", "7": "semana", "mes": "mes",
             "mensal": "mes", "30": "mes"}  # fmt: skip
RESPONSAVEIS = 8  # lines per responsável in the text and bars in the chart


@dataclass(frozen=True)
class Relatorio:
    """What /relatorio sends: the text, the PNG, and whose numbers they are."""

    texto: str
    png: bytes
    equipe: bool  # the team's numbers (gestores, admins), else the caller's own


class RelatorioService:
    """Reports over what the caller may see."""

    def __init__(self, sessions: Sessions, *, agora: Callable[[], datetime] | None = None) -> None:
        self._sessions = sessions
        self._agora = agora or (lambda: datetime.now(UTC))

    async def gerar(self, usuario: Usuario, pedido: str = "") -> Relatorio:
        """The report of the last week (default) or month."""
        periodo = SINONIMOS.get(sem_acentos(pedido.strip().lower()) or "semana")
        if periodo is None:
            raise InvalidInput(texts.periodo_desconhecido(pedido))
        dias, n_semanas = PERIODOS[periodo]
        agora = self._agora()
        zona = ZoneInfo(usuario.fuso_horario)
        desde = agora - timedelta(days=dias)
        inicio_grafico = _segunda(agora.astimezone(zona)) - timedelta(weeks=n_semanas - 1)
        async with self._sessions() as session:
            totais = await repo.totais(session, usuario=usuario, desde=desde, agora=agora)
            resposta = await repo.primeira_resposta_mediana(session, usuario=usuario, desde=desde)
            abertos, concluidos = await repo.por_semana(
                session, usuario=usuario, desde=inicio_grafico, zona=usuario.fuso_horario
            )
            pessoas = await repo.por_responsavel(
                session, usuario=usuario, desde=desde, agora=agora, limite=RESPONSAVEIS
            )
        equipe = gerencia(usuario)
        semanas = [
            inicio_grafico.replace(tzinfo=None) + timedelta(weeks=i) for i in range(n_semanas)
        ]
        atrasados = [(p.nome or texts.NINGUEM, p.atrasados) for p in pessoas if p.atrasados]
        png = await asyncio.to_thread(
            desenhar,
            titulo=texts.titulo_relatorio(periodo, equipe=equipe, nome=usuario.nome),
            semanas=semanas,
            abertos=[abertos.get(s, 0) for s in semanas],
            concluidos=[concluidos.get(s, 0) for s in semanas],
            por_status=totais.por_status,
            atrasados=sorted(atrasados, key=lambda par: -par[1])[:RESPONSAVEIS],
        )
        texto = texts.relatorio(
            periodo, totais, resposta, pessoas, equipe=equipe, nome=usuario.nome
        )
        return Relatorio(texto=texto, png=png, equipe=equipe)


def _segunda(momento: datetime) -> datetime:
    """Midnight of the Monday of `momento`'s week, wall time in its zone."""
    dia = momento.date() - timedelta(days=momento.weekday())
    return datetime(dia.year, dia.month, dia.day, tzinfo=momento.tzinfo)
