"""Exactly-once changes, by construction: an update's first write transaction marks it.

    Entrega               the update a task is handling (a context variable set by
                          `bot.ordering` around each handler run), seen by that task only
    SessoesComEntrada     the services' session factory. While an update is handled:
                          - the first transaction that changes a row marks the inbox row
                            `efetivado` in that same transaction, just before its COMMIT (or
                            raises `JaFeito` when another attempt already made the change);
                          - a replay of an update whose change was committed before a crash is
                            refused at the first door it opens (`JaFeito`), so nothing runs
                            twice and the reply tells the truth;
                          - a COMMIT that dies with its connection is resolved through the inbox
                            (`GravadoSemConfirmacao`, `ResultadoIncerto`)
    referencia(s, texto)  names the change of `s`'s transaction ("processo 2026-0042") for
                          those truthful replies

Why by default: when each service had to remember to mark, most forgot, and a replay after a
crash made a second reminder, registered a document twice, made two /aviso drafts. Now a write
is the update's change unless its door says otherwise: `begin(efeito=False)` for bookkeeping
that must not count (dropping a stale prompt, a proposal's claim). An autocommit write cannot
carry the mark, so while an update is handled it is refused before it runs unless opened with
`efeito=False` (a /start upsert that is idempotent anyway).

"A write" is a statement that changed rows (INSERT, UPDATE, DELETE, MERGE with a rowcount other
than 0): a read that locks (`FOR UPDATE`) or an UPDATE that matched nothing does not count.

Why the owning task: asyncio copies context variables into every task a handler starts, so the
mentor's answer task would otherwise mark the question's update with writes it makes long after
(its memory rows, a proposal), or be refused for them on a replay.

No Telegram here: the composition root installs `SessoesComEntrada` and `bot.entrada.porta`
opens each `entregando`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot import texts
from bot.database import is_outage
from bot.errors import CogepError
from db.engine import Sessions
from db.repositories import entrada as repo

log = logging.getLogger("cogep.entrada")
CONFIRMACAO_TENTATIVAS = (0.2, 0.5, 1.0, 2.0)  # pauses while asking the inbox what happened
FORA_DO_EFEITO = "cogep_fora_do_efeito"  # execution option of the doors opened with efeito=False
_REFERENCIA = "cogep_referencia"  # key in `AsyncSession.info`
_DML = ("insert", "update", "delete", "merge")


class JaFeito(CogepError):
    """A replayed update whose change an earlier attempt had already committed."""


class GravadoSemConfirmacao(CogepError):
    """The COMMIT's answer was lost, but the inbox proves the change was committed."""


class ResultadoIncerto(CogepError):
    """The COMMIT's answer was lost and nobody can tell yet whether it happened."""


@dataclass
class Entrega:
    """One attempt at handling one update, in the task that handles it."""

    update_id: int
    tarefa: asyncio.Task[Any] | None = field(default=None, repr=False)
    feita_antes: bool = False  # an earlier attempt committed this update's change
    referencia: str | None = None  # ... and named it so
    efetivada: bool = False  # this attempt's change was marked in a transaction


@dataclass
class _Transacao:
    """A transaction that would mark the update if it changes a row."""

    escreveu: bool = False


_ENTREGA: ContextVar[Entrega | None] = ContextVar("cogep_entrega", default=None)
_TRANSACAO: ContextVar[_Transacao | None] = ContextVar("cogep_transacao", default=None)


@contextmanager
def entregando(
    update_id: int, *, feita_antes: bool = False, referencia: str | None = None
) -> Iterator[Entrega]:
    """Mark the current task as handling `update_id` (a replay says what the inbox knows)."""
    entrega = Entrega(update_id, asyncio.current_task(), feita_antes, referencia)
    token = _ENTREGA.set(entrega)
    try:
        yield entrega
    finally:
        _ENTREGA.reset(token)


def entrega_atual() -> Entrega | None:
    """The update this very task is handling; None elsewhere (tasks it started included)."""
    entrega = _ENTREGA.get()
    if entrega is None or entrega.tarefa is not asyncio.current_task():
        return None
    return entrega


def referencia(session: AsyncSession, texto: str) -> None:
    """Name the change `session`'s transaction makes, for the reply to a replay."""
    session.info[_REFERENCIA] = texto


class SessoesComEntrada(Sessions):
    """`Sessions` whose transactions mark the update they change, and tell the truth after."""

    def __init__(self, engine: AsyncEngine) -> None:
        # An engine of its own (same pool) so the listeners below see only the services'
        # statements, not the inbox's.
        proprio = engine.execution_options(cogep_servicos=True)
        super().__init__(proprio)
        self._fora = Sessions(proprio.execution_options(**{FORA_DO_EFEITO: True}))
        event.listen(proprio.sync_engine, "before_cursor_execute", _antes_de_executar)
        event.listen(proprio.sync_engine, "after_cursor_execute", _depois_de_executar)

    def begin(self, *, efeito: bool = True) -> AbstractAsyncContextManager[AsyncSession]:
        """A transaction that marks the update if it writes (unless `efeito=False`); a COMMIT
        lost with its connection ends in the truthful outcome."""
        return self._begin(efeito=efeito)

    def __call__(self, *, efeito: bool = True) -> AsyncSession:
        """An autocommit session; while an update is handled it writes only with efeito=False."""
        _recusar_se_ja_feita()
        return super().__call__() if efeito else self._fora()

    def connect(self, *, efeito: bool = True) -> AbstractAsyncContextManager[AsyncConnection]:
        """An autocommit connection; while an update is handled it writes only with efeito=False."""
        _recusar_se_ja_feita()
        return super().connect() if efeito else self._fora.connect()

    @asynccontextmanager
    async def _begin(self, *, efeito: bool) -> AsyncIterator[AsyncSession]:
        entrega = _recusar_se_ja_feita()
        transacao = _Transacao() if entrega and efeito and not entrega.efetivada else None
        token = _TRANSACAO.set(transacao)
        corpo_terminou = marcou = False
        try:
            async with super().begin() as session:
                yield session
                if transacao is not None and entrega is not None:
                    await session.flush()
                    if transacao.escreveu and not entrega.efetivada:  # (not by a nested one)
                        await _marcar(session, entrega)
                        marcou = True
                corpo_terminou = True
        except Exception as exc:
            if marcou and entrega is not None:
                entrega.efetivada = False  # unless the inbox proves the COMMIT happened
            if not (corpo_terminou and entrega is not None and is_outage(exc)):
                raise
            log.warning("update %s: COMMIT lost with its connection: %s", entrega.update_id, exc)
            if transacao is not None and not transacao.escreveu:
                raise  # it changed nothing: "nada foi alterado" is the truth
            if not marcou:
                raise ResultadoIncerto(texts.NAO_CONFIRMADO) from exc
            await self._desfecho(entrega, exc)
        finally:
            _TRANSACAO.reset(token)

    async def _desfecho(self, entrega: Entrega, erro: Exception) -> None:
        """Ask the inbox, on a fresh connection, whether the lost COMMIT happened; raise it."""
        for pausa in CONFIRMACAO_TENTATIVAS:
            await asyncio.sleep(pausa)
            try:
                async with self.connect() as conn:
                    feito, anterior = await repo.situacao(conn, update_id=entrega.update_id)
            except Exception as exc:  # still down: ask again, then admit we do not know
                if not is_outage(exc):
                    raise
                continue
            if feito:
                entrega.efetivada = True
                raise GravadoSemConfirmacao(texts.gravado_sem_confirmacao(anterior)) from erro
            raise erro  # it did not happen: "nada foi alterado" is the truth
        raise ResultadoIncerto(texts.NAO_CONFIRMADO) from erro


def _recusar_se_ja_feita() -> Entrega | None:
    """The current update; `JaFeito` when it is a replay whose change was committed before.

    Raised at the first door the update's handlers open, before any read: a read might
    otherwise refuse the replay for another reason ("esse formulário já terminou").
    """
    entrega = entrega_atual()
    if entrega is not None and entrega.feita_antes:
        log.info("update %s was done before a restart; not doing it again", entrega.update_id)
        raise JaFeito(texts.ja_feito(entrega.referencia))
    return entrega


async def _marcar(session: AsyncSession, entrega: Entrega) -> None:
    """Mark the update `efetivado` in `session`'s transaction, or raise `JaFeito`."""
    nome = session.info.get(_REFERENCIA)
    if not await repo.efetivar(session, update_id=entrega.update_id, referencia=nome):
        _, anterior = await repo.situacao(await session.connection(), update_id=entrega.update_id)
        raise JaFeito(texts.ja_feito(anterior))
    entrega.efetivada = True


def _escreve(statement: str, context: DefaultExecutionContext | None) -> bool:
    """Whether the statement is a data change (compiled, or plain SQL text)."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    return statement.lstrip()[:6].lower().startswith(_DML)


def _antes_de_executar(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: DefaultExecutionContext | None,
    executemany: bool,
) -> None:
    """Refuse, before it runs, an autocommit write that would escape the update's mark."""
    if entrega_atual() is None or not _escreve(statement, context):
        return
    opcoes = conn.get_execution_options()
    if opcoes.get("isolation_level") == "AUTOCOMMIT" and not opcoes.get(FORA_DO_EFEITO):
        raise RuntimeError(
            "an autocommit write while an update is handled cannot carry its exactly-once "
            "mark: use sessions.begin(), or efeito=False for bookkeeping"
        )


def _depois_de_executar(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: DefaultExecutionContext | None,
    executemany: bool,
) -> None:
    """Note that the tracked transaction changed rows."""
    transacao = _TRANSACAO.get()
    if transacao is None or transacao.escreveu or cursor.rowcount == 0:
        return
    if entrega_atual() is None:  # a task started inside the transaction's block
        return
    if _escreve(statement, context) and not conn.get_execution_options().get("isolation_level"):
        transacao.escreveu = True
