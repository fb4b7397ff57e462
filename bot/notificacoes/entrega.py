"""The sender: claims due outbox rows and delivers them, paced, each chat in its own lane.

    Entregador.rodar()      the loop every replica runs: claim (FOR UPDATE SKIP LOCKED), send,
                            record; sleeps until woken (`acordar`) or `espera_ociosa` passes
    Entregador.esvaziar()   deliver everything due now and return (tests, benchmarks)

One lane per chat sends that chat's rows in order; lanes run side by side, so a chat that is
paused (429) or slow never holds the others, and rows are claimed by priority (queued replies
first, announcements last). The pace itself (30/s overall, 1/s per chat, 20/min per group) is
the transport's: every send of the process goes through one pacer (`bot.saida.ritmo`).

Outcomes (the transport returns a `bot.saida.resultado.Resultado`):
- `Enviada`: `enviada`;
- `Espere` (429): that chat's rows go back to `pendente`, due after `retry_after`, without
  spending an attempt (a storm delays, never loses);
- `Bloqueado` (403): `bloqueou` — the user is inactive until they write again, their pending
  rows are dropped; this is the one definition of that rule (`NotificacaoService.bloqueou`);
- `Falhou`, transient (network, 5xx, timeout), or an unforeseen exception: retried with
  exponential backoff up to `tentativas_max` attempts, then `falhou` with the reason;
- `Falhou`, definitive (400 chat not found, ...): `falhou` with the reason at once.

A long message is sent in parts and `partes_enviadas` is recorded, so a retry resumes after the
last part that went through. Between Telegram's accepting a message and our recording it
there is a window of milliseconds: a crash exactly there sends that one message again when the
arrendamento passes (at least once — a notice is never silently lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.database import is_outage
from bot.saida.resultado import Bloqueado, Enviada, Espere, Falhou, Resultado
from db.engine import Sessions
from db.models import Notificacao
from db.repositories import notificacoes as repo

log = logging.getLogger("cogep.notificacoes")

ARRENDAMENTO = timedelta(minutes=2)  # a claimed row returns to the pool after this
TENTATIVAS_MAX = 5
RECUO_BASE = 2.0  # seconds; the n-th retry waits RECUO_BASE * 4**(n-1): 2 s, 8 s, 32 s, 128 s


class Transporte(Protocol):
    """Sends one outbox row (all of its parts from `partes_enviadas` on), paced."""

    async def enviar(self, nota: Notificacao) -> Resultado:
        """What became of `nota`."""


class Entregador:
    """Delivers the outbox of one database through one transport."""

    def __init__(
        self,
        sessions: Sessions,
        transporte: Transporte,
        *,
        por_segundo: float = 30.0,
        agora: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_faixas: int = 200,
        espera_ociosa: float = 2.0,
        tentativas_max: int = TENTATIVAS_MAX,
        recuo_base: float = RECUO_BASE,
    ) -> None:
        self._sessions = sessions
        self._transporte = transporte
        self.por_segundo = por_segundo
        self._agora = agora
        self._max_faixas = max_faixas
        self._espera_ociosa = espera_ociosa
        self._tentativas_max = tentativas_max
        self._recuo_base = recuo_base
        self._faixas: dict[int, asyncio.Task[None]] = {}
        self._acordado = asyncio.Event()

    def acordar(self) -> None:
        """There is new work: claim now instead of at the next poll."""
        self._acordado.set()

    async def rodar(self) -> None:
        """Deliver forever (cancel to stop; lanes in flight are cancelled and their rows'
        arrendamentos let another sender finish them)."""
        pausa = 1.0
        try:
            while True:
                try:
                    reivindicadas = await self.passo()
                    pausa = 1.0
                except Exception as exc:
                    if not is_outage(exc):
                        log.exception("outbox: claim failed")
                    else:
                        log.warning("outbox: database unreachable (%s); retrying", exc)
                    await asyncio.sleep(pausa)
                    pausa = min(pausa * 2, 30.0)
                    continue
                if not reivindicadas:
                    await self._dormir()
        finally:
            for faixa in list(self._faixas.values()):
                faixa.cancel()
            for faixa in list(self._faixas.values()):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await faixa

    async def esvaziar(self) -> None:
        """Deliver what is due now (and what becomes due while doing so), then return."""
        while True:
            reivindicadas = await self.passo()
            if not reivindicadas and not self._faixas:
                return
            if not reivindicadas:  # all lanes busy, or nothing due but what they hold
                await asyncio.wait(list(self._faixas.values()), return_when=asyncio.FIRST_COMPLETED)

    async def passo(self) -> int:
        """Claim due rows for free lanes and start them; how many rows were claimed."""
        # At most ~2 s of sending is claimed at once: a cancelled announcement stops within that,
        # and what this replica cannot send soon stays claimable by the others.
        em_voo = len(self._faixas)
        vagas = min(self._max_faixas - em_voo, max(1, int(self.por_segundo * 2) - em_voo))
        if vagas <= 0:
            return 0
        agora = self._agora()
        async with self._sessions.begin() as session:
            notas = await repo.reivindicar(
                session, agora=agora, ate=agora + ARRENDAMENTO, limite=vagas
            )
        por_chat: dict[int, list[Notificacao]] = {}
        for nota in notas:
            por_chat.setdefault(nota.chat_id, []).append(nota)
        for chat_id, fila in por_chat.items():
            self._faixas[chat_id] = asyncio.create_task(
                self._faixa(chat_id, fila, agora + ARRENDAMENTO / 2), name=f"outbox-{chat_id}"
            )
        return len(notas)

    async def _dormir(self) -> None:
        self._acordado.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._acordado.wait(), self._espera_ociosa)

    async def _faixa(self, chat_id: int, fila: list[Notificacao], prazo: datetime) -> None:
        """Send one chat's claimed rows in order; give back what the arrendamento will not cover."""
        try:
            for i, nota in enumerate(fila):
                if self._agora() >= prazo:
                    await self._devolver(fila[i:], self._agora())
                    return
                if not await self._enviar(nota, fila[i + 1 :]):
                    return
        except Exception:
            log.exception("outbox: lane for chat %s failed", chat_id)
        finally:
            self._faixas.pop(chat_id, None)
            self._acordado.set()

    async def _enviar(self, nota: Notificacao, resto: list[Notificacao]) -> bool:
        """Send one row and record the outcome; False when the lane must stop."""
        try:
            resultado = await self._transporte.enviar(nota)
        except Exception as falha:  # unforeseen: bounded retries, like a transient failure
            resultado = Falhou(f"{type(falha).__name__}: {falha}", partes=nota.partes_enviadas,
                               transitoria=True)  # fmt: skip
        match resultado:
            case Enviada(partes=partes):
                await self._registrar(nota, status="enviada", motivo=None, partes=partes)
                return True
            case Espere(segundos=espera, partes=partes):
                quando = self._agora() + timedelta(seconds=espera)
                async with self._sessions() as session:
                    await repo.concluir(
                        session, notificacao_id=nota.id, status="pendente", devido_em=quando,
                        partes_enviadas=partes, motivo=f"429: retry after {espera:g} s",
                    )  # fmt: skip
                await self._devolver(resto, quando)
                return False
            case Bloqueado(motivo=motivo):
                await self.bloqueou(nota.chat_id, outras=[nota, *resto], motivo="bloqueado")
                log.info("chat %s blocked the bot (%s); marked inactive", nota.chat_id, motivo)
                return False
            case Falhou(transitoria=False, motivo=motivo, partes=partes):
                await self._registrar(nota, status="falhou", motivo=motivo, partes=partes)
                log.warning("notice %s to %s failed: %s", nota.chave, nota.chat_id, motivo)
                return True
            case Falhou():
                await self._tentar_de_novo(nota, resultado)
                return True

    async def _tentar_de_novo(self, nota: Notificacao, falha: Falhou) -> None:
        tentativas = nota.tentativas + 1
        motivo, partes = falha.motivo, falha.partes
        if tentativas >= self._tentativas_max:
            log.warning("notice %s failed after %d attempts: %s", nota.chave, tentativas, motivo)
            await self._registrar(nota, status="falhou", motivo=motivo, partes=partes)
            return
        espera = timedelta(seconds=self._recuo_base * 4 ** (tentativas - 1))
        async with self._sessions() as session:
            await repo.concluir(
                session, notificacao_id=nota.id, status="pendente", tentativas=tentativas,
                devido_em=self._agora() + espera, motivo=motivo, partes_enviadas=partes,
            )  # fmt: skip

    async def _registrar(
        self, nota: Notificacao, *, status: str, motivo: str | None, partes: int
    ) -> None:
        async with self._sessions() as session:  # one UPDATE: atomic without BEGIN/COMMIT
            await repo.concluir(
                session, notificacao_id=nota.id, status=status, motivo=motivo,
                partes_enviadas=partes,
                enviada_em=self._agora() if status == "enviada" else None,
            )  # fmt: skip

    async def _devolver(self, notas: list[Notificacao], quando: datetime) -> None:
        """Return claimed rows to the pool, due at `quando`."""
        if not notas:
            return
        async with self._sessions.begin() as session:
            for nota in notas:
                await repo.concluir(
                    session, notificacao_id=nota.id, status="pendente", devido_em=quando
                )

    async def bloqueou(
        self, telegram_id: int, *, outras: Sequence[Notificacao] = (), motivo: str = "bloqueado"
    ) -> None:
        """The user blocked the bot; the rows of theirs this sender holds are dropped too."""
        await self.aplicar_bloqueio(self._sessions, telegram_id, outras=outras, motivo=motivo)

    @staticmethod
    async def aplicar_bloqueio(
        sessions: Sessions,
        telegram_id: int,
        *,
        outras: Sequence[Notificacao] = (),
        motivo: str = "bloqueado",
    ) -> None:
        """The rule for a user who blocked the bot (see `repo.bloqueou`), in one transaction."""
        async with sessions.begin() as session:
            await repo.bloqueou(session, telegram_id=telegram_id, motivo=motivo)
            for nota in outras:
                await repo.concluir(
                    session, notificacao_id=nota.id, status="descartada", motivo=motivo
                )
