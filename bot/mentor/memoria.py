"""Conversation memory: what of a chat's past goes into the next request, and its summaries.

A request carries the latest summary of older turns and then the most recent turns that fit
the token budget (estimated with `tokens.Estimador`). Turns that no longer fit are not lost:
after the answer, `resumir` asks the model to fold them, with the previous summary, into a new
summary row that covers every turn up to the newest one it read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.mentor.modelo import Modelo, Rodada
from bot.mentor.tokens import Estimador
from db.engine import Sessions
from db.models import Mensagem
from db.repositories import mentor as repo

JANELA = 200  # turns read per request: far more than any budget holds
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
    fora: list[Mensagem] = field(default_factory=list)  # older turns beyond the budget

    @property
    def precisa_resumo(self) -> bool:
        """Whether turns fell out of the budget and should be summarised."""
        return bool(self.fora)


class Memoria:
    """Reads a chat's memory within a budget, and summarises what falls out of it."""

    def __init__(self, sessions: Sessions, estimador: Estimador) -> None:
        self._sessions = sessions
        self._estimador = estimador

    async def contexto(self, chat_id: int, *, antes_de: int, orcamento: int) -> Contexto:
        """The summary and the newest turns before `antes_de` that fit `orcamento` tokens."""
        async with self._sessions() as session:
            resumo = await repo.ultimo_resumo(session, chat_id=chat_id, antes_de=antes_de)
            desde = (resumo.resume_ate or 0) if resumo else 0
            linhas = await repo.recentes(
                session, chat_id=chat_id, depois_de=desde, antes_de=antes_de, limite=JANELA
            )
        restante = orcamento - (self._estimador.tokens(resumo.texto) if resumo else 0)
        cabem: list[Mensagem] = []
        for indice, linha in enumerate(linhas):  # newest first
            custo = self._estimador.tokens(linha.texto) + 4  # role and separators
            if custo > restante:
                return Contexto(resumo.texto if resumo else None, cabem[::-1], linhas[indice:])
            restante -= custo
            cabem.append(linha)
        return Contexto(resumo.texto if resumo else None, cabem[::-1])

    async def resumir(self, chat_id: int, contexto: Contexto, modelo: Modelo) -> Rodada | None:
        """Fold the turns that fell out of the budget into a new summary; the call's usage."""
        if not contexto.fora:
            return None
        antigos = contexto.fora[::-1]  # oldest first
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
