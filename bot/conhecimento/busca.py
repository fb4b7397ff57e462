"""Search: passages for a query, among what the asking user may see.

`Busca.passagens` is the one search (chat, /buscar, the mentor's tool): full text, and, when
embeddings are configured and pgvector exists, full text and vector similarity fused by
reciprocal rank (RRF: each list contributes 1/(K + rank), so neither scale dominates).
Visibility is applied inside each SQL query, never after.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.conhecimento.vetores import Vetores
from db.busca import documentos, palavras
from db.engine import Sessions
from db.models import Usuario
from db.repositories import conhecimento as repo

log = logging.getLogger("cogep.conhecimento")
RRF_K = 60
CANDIDATOS = 30  # per list, before fusion


@dataclass(frozen=True)
class Passagem:
    """One passage of a document, ready to quote."""

    documento_id: int
    trecho_id: int
    titulo: str
    citacao: str  # "Manual de Deploy › Rollback, p. 4"
    texto: str
    pontuacao: float
    secao: str | None = None
    pagina: int | None = None
    destaques: tuple[str, ...] = ()  # words of `texto` that matched, to highlight


def citar(titulo: str, secao: str | None, pagina: int | None) -> str:
    """'Título › Seção, p. 4'."""
    citacao = f"{titulo} › {secao}" if secao else titulo
    return f"{citacao}, p. {pagina}" if pagina else citacao


def _passagem(achado: repo.Achado, pontuacao: float, destaques: tuple[str, ...]) -> Passagem:
    return Passagem(
        documento_id=achado.documento_id,
        trecho_id=achado.trecho_id,
        titulo=achado.titulo,
        citacao=citar(achado.titulo, achado.secao, achado.pagina),
        texto=achado.texto,
        pontuacao=pontuacao,
        secao=achado.secao,
        pagina=achado.pagina,
        destaques=destaques,
    )


class Busca:
    """Full-text (and optionally hybrid) search over `trechos`."""

    def __init__(self, sessions: Sessions, vetores: Vetores | None = None) -> None:
        self._sessions = sessions
        self._vetores = vetores

    async def passagens(
        self, usuario: Usuario, texto: str, *, limite: int, so_da_equipe: bool = False
    ) -> list[Passagem]:
        """The best passages for `texto`, best first, with the matched words (only team-wide
        documents when `so_da_equipe`)."""
        consulta = documentos(texto)
        vetor = await self._vetores.da_consulta(texto) if self._vetores else None
        if consulta.vazia and vetor is None:
            return []
        async with self._sessions() as session:
            por_texto = (
                []
                if consulta.vazia
                else await repo.buscar(
                    session,
                    usuario=usuario,
                    consulta=consulta,
                    limite=max(limite, CANDIDATOS) if vetor else limite,
                    so_da_equipe=so_da_equipe,
                )
            )
            if vetor is not None and self._vetores is not None:
                ids = await self._vetores.proximos(
                    session, usuario=usuario, vetor=vetor, limite=CANDIDATOS
                )
                achados = _fundir(
                    por_texto,
                    await repo.trechos_por_ids(
                        session, usuario=usuario, ids=ids, so_da_equipe=so_da_equipe
                    ),
                    ids,
                    limite,
                )
            else:
                achados = [(a, a.pontuacao) for a in por_texto[:limite]]
            vistas = sorted({p for a, _ in achados for p in palavras(a.texto)})
            casam = set(await repo.palavras_que_casam(session, palavras=vistas, consulta=consulta))
        return [_passagem(a, nota, tuple(p for p in casam if p in a.texto)) for a, nota in achados]

    async def trecho(
        self, usuario: Usuario, trecho_id: int, texto: str = "", *, so_da_equipe: bool = False
    ) -> Passagem | None:
        """One passage by id (for 'ver mais'), if the user may see it."""
        consulta = documentos(texto)
        async with self._sessions() as session:
            achado = await repo.trecho_visivel(
                session, usuario=usuario, trecho_id=trecho_id, so_da_equipe=so_da_equipe
            )
            if achado is None:
                return None
            vistas = sorted(set(palavras(achado.texto)))
            casam = await repo.palavras_que_casam(session, palavras=vistas, consulta=consulta)
        return _passagem(achado, achado.pontuacao, tuple(casam))


def _fundir(
    por_texto: list[repo.Achado], por_vetor: list[repo.Achado], ordem_vetor: list[int], limite: int
) -> list[tuple[repo.Achado, float]]:
    """Reciprocal rank fusion of the two rankings."""
    notas: dict[int, float] = {}
    achados: dict[int, repo.Achado] = {}
    for posicao, achado in enumerate(por_texto):
        notas[achado.trecho_id] = notas.get(achado.trecho_id, 0.0) + 1 / (RRF_K + posicao + 1)
        achados[achado.trecho_id] = achado
    visiveis = {a.trecho_id: a for a in por_vetor}
    for posicao, trecho_id in enumerate(i for i in ordem_vetor if i in visiveis):
        notas[trecho_id] = notas.get(trecho_id, 0.0) + 1 / (RRF_K + posicao + 1)
        achados.setdefault(trecho_id, visiveis[trecho_id])
    melhores = sorted(notas, key=lambda i: (-notas[i], i))[:limite]
    return [(achados[i], notas[i]) for i in melhores]
