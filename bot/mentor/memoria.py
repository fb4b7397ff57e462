"""Conversation memory: what of a chat's past goes into the next request, and its summaries.

A request carries the latest summary of older turns and then the most recent turns that fit
the token budget (estimated with `tokens.Estimador`). Turns that no longer fit are not lost:
after the answer, `resumir` asks the model to fold them, with the previous summary, into a new
summary row that covers every turn up to the newest one it read.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.mentor.modelo import Modelo, Rodada
from bot.mentor.tokens import Estimador
from db.engine import Sessions
from db.models import Mensagem
from db.repositories import mentor as repo

JANELA = 200  # at most this many turns go into one request, whatever the budget
LOTE = 40  # turns read per round trip
RESUMO_MAX_TOKENS = 500
PEDIDO_DE_RESUMO = (
    "Resuma a conversa abaixo entre um desenvolvedor e seu mentor em até 12 linhas, em "
    "português: fatos, decisões, preferências e perguntas em aberto que ajudem a continuar a "
    "conversa. Não invente nada. Se houver um resumo anterior, incorpore-o."
)


@dataclass
class Contexto:
    """The memory that goes with one question."""

    resumo: str | None
    turnos: list[Mensagem]  # oldest first
    resumo_ate: int = 0  # the summary covers the turns up to this id
    fora_ate: int | None = None  # the newest turn that fell out of the budget

    @property
    def precisa_resumo(self) -> bool:
        """Whether turns fell out of the budget and should be summarised."""
        return self.fora_ate is not None


class Memoria:
    """Reads a chat's memory within a budget, and summarises what falls out of it."""

    def __init__(self, sessions: Sessions, estimador: Estimador) -> None:
        self._sessions = sessions
        self._estimador = estimador

    async def contexto(self, chat_id: int, *, antes_de: int, orcamento: int) -> Contexto:
        """The summary and the newest turns before `antes_de` that fit `orcamento` tokens.

        Turns are read newest first in small batches: a budget holds a few dozen turns, so
        one short read usually answers, however long the conversation.
        """
        async with self._sessions() as session:
            resumo = await repo.ultimo_resumo(session, chat_id=chat_id, antes_de=antes_de)
            desde = (resumo.resume_ate or 0) if resumo else 0
            restante = orcamento - (self._estimador.tokens(resumo.texto) if resumo else 0)
            cabem: list[Mensagem] = []
            teto = antes_de
            while len(cabem) < JANELA:
                lote = await repo.recentes(
                    session, chat_id=chat_id, depois_de=desde, antes_de=teto, limite=LOTE
                )
                for linha in lote:  # newest first
                    custo = self._estimador.tokens(linha.texto) + 4  # role and separators
                    if custo > restante:
                        return Contexto(_texto(resumo), cabem[::-1], desde, linha.id)
                    restante -= custo
                    cabem.append(linha)
                if len(lote) < LOTE:
                    break
                teto = lote[-1].id
        return Contexto(_texto(resumo), cabem[::-1], desde)

    async def resumir(self, chat_id: int, contexto: Contexto, modelo: Modelo) -> Rodada | None:
        """Fold the turns that fell out of the budget into a new summary; the call's usage."""
        if contexto.fora_ate is None:
            return None
        async with self._sessions() as session:
            antigos = await repo.antigos(  # oldest first; a backlog is folded in over time
                session, chat_id=chat_id, depois_de=contexto.resumo_ate,
                ate=contexto.fora_ate, limite=JANELA,
            )  # fmt: skip
        if not antigos:
            return None
        conversa = "\n".join(
            f"{'Pessoa' if t.papel == 'usuario' else 'Mentor'}: {t.texto[:2000]}" for t in antigos
        )
        anterior = f"Resumo anterior:\n{contexto.resumo}\n\n" if contexto.resumo else ""
        rodada = await modelo.completar(
            [
                {"role": "system", "content": PEDIDO_DE_RESUMO},
                {"role": "user", "content": f"{anterior}Conversa:\n{conversa}"},
            ],
            max_tokens=RESUMO_MAX_TOKENS,
        )
        if not rodada.texto.strip():
            return rodada
        async with self._sessions.begin() as session:
            await repo.guardar(
                session,
                chat_id=chat_id,
                usuario_id=None,
                papel="resumo",
                texto=rodada.texto.strip(),
                resume_ate=max(t.id for t in antigos),
            )
        return rodada


def _texto(resumo: Mensagem | None) -> str | None:
    return resumo.texto if resumo is not None else None
