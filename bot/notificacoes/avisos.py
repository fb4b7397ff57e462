"""AvisoService: an admin's announcement — preview, confirm, progress, cancel, final counts.

preparar(admin, texto)     a draft and how many people it would reach (nothing is sent)
confirmar(admin, id)       one INSERT ... SELECT writes an outbox row per recipient
                           (aviso:<id>:<usuario>, the lowest priority: replies and personal
                           notices go first); a second tap finds it already confirmed
cancelar(admin, id)        a draft is dropped; a running one stops: rows not yet claimed
                           are discarded ('aviso cancelado'), the few in flight finish
progresso(id)              counts by outcome; the first call that finds nothing left marks
                           the announcement concluded
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.errors import InvalidInput, NotFound, StaleState
from bot.notificacoes.caixa import PRIORIDADE, Caixa
from bot.render import escape
from bot.usuarios.regras import exigir_admin
from db.engine import Sessions
from db.models import Aviso, Usuario
from db.repositories import notificacoes as repo

AVISO_MAX = 3500  # leaves room for the header within one message
CANCELADO = "aviso cancelado"


@dataclass(frozen=True)
class Previa:
    """A draft announcement and its audience."""

    aviso: Aviso
    destinatarios: int


@dataclass(frozen=True)
class Progresso:
    """Where an announcement stands."""

    status: str
    total: int
    enviadas: int
    bloqueados: int
    falhas: int
    cancelados: int
    restantes: int

    @property
    def terminou(self) -> bool:
        """Nothing left to send."""
        return self.status in ("concluido", "cancelado") and self.restantes == 0


class AvisoService:
    """Announcements to everyone who is let in and active."""

    def __init__(
        self,
        sessions: Sessions,
        caixa: Caixa,
        *,
        agora: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._caixa = caixa
        self._agora = agora

    async def preparar(self, admin: Usuario, texto: str) -> Previa:
        """A draft of `texto` (plain text; shown as the readers will see it)."""
        exigir_admin(admin)
        texto = texto.strip()
        if not texto:
            raise InvalidInput(texts.AVISO_USO)
        if len(texto) > AVISO_MAX:
            raise InvalidInput(texts.texto_longo(len(texto), AVISO_MAX))
        async with self._sessions.begin() as session:
            destinatarios = await repo.contar_leitores_do_aviso(session, autor_id=admin.id)
            if not destinatarios:  # no draft, and no Enviar button that could only disappoint
                raise InvalidInput(texts.AVISO_NINGUEM)
            aviso = Aviso(autor_id=admin.id, texto=texto, chat_id=admin.telegram_id)
            session.add(aviso)
            await session.flush()
        return Previa(aviso, destinatarios)

    async def confirmar(self, admin: Usuario, aviso_id: int) -> Aviso:
        """Queue the announcement for everyone (one statement), once."""
        exigir_admin(admin)
        async with self._sessions.begin() as session:
            aviso = await self._travar(session, aviso_id)
            if aviso.status != "rascunho":
                raise StaleState(texts.AVISO_JA_ENVIADO)
            aviso.total = await repo.enfileirar_aviso(
                session,
                aviso=aviso,
                html=texts.aviso_recebido(escape(aviso.texto)),
                prioridade=PRIORIDADE["aviso"],
                devido_em=self._agora(),
            )
            if not aviso.total:  # rolls the draft back as it was
                raise InvalidInput(texts.AVISO_NINGUEM)
            aviso.status = "enviando"
        self._caixa.acordar()
        return aviso

    async def cancelar(self, admin: Usuario, aviso_id: int) -> Aviso:
        """Drop a draft, or stop a running announcement."""
        exigir_admin(admin)
        async with self._sessions.begin() as session:
            aviso = await self._travar(session, aviso_id)
            if aviso.status in ("rascunho", "enviando"):
                aviso.status = "cancelado"
                await repo.descartar_aviso(session, aviso_id=aviso.id, motivo=CANCELADO)
        return aviso

    async def registrar_mensagem(self, aviso_id: int, mensagem_id: int) -> None:
        """Where the progress is shown (and a heartbeat of whoever reports it)."""
        async with self._sessions.begin() as session:
            aviso = await self._travar(session, aviso_id)
            aviso.mensagem_id, aviso.acompanhado_em = mensagem_id, self._agora()

    async def progresso(self, aviso_id: int) -> Progresso:
        """The counts; concludes the announcement when nothing is left."""
        async with self._sessions.begin() as session:
            aviso = await self._travar(session, aviso_id)
            contagem = await repo.contagem(session, aviso_id=aviso_id)
            motivos = await repo.motivos(session, aviso_id=aviso_id)
            restantes = contagem.get("pendente", 0) + contagem.get("enviando", 0)
            if aviso.status == "enviando" and restantes == 0:
                aviso.status = "concluido"
            aviso.acompanhado_em = self._agora()
        return Progresso(
            status=aviso.status,
            total=aviso.total,
            enviadas=contagem.get("enviada", 0),
            bloqueados=motivos.get("bloqueado", 0),
            falhas=contagem.get("falhou", 0),
            cancelados=motivos.get(CANCELADO, 0),
            restantes=restantes,
        )

    async def sem_acompanhamento(self, *, ha_segundos: float) -> list[Aviso]:
        """Running announcements whose progress reporter went quiet (its process restarted)."""
        agora = self._agora()
        async with self._sessions() as session:
            avisos = await repo.avisos_enviando(session)
        quietos = []
        for aviso in avisos:
            visto = aviso.acompanhado_em
            if aviso.mensagem_id is not None and (
                visto is None or (agora - visto).total_seconds() > ha_segundos
            ):
                quietos.append(aviso)
        return quietos

    @staticmethod
    async def _travar(session: AsyncSession, aviso_id: int) -> Aviso:
        aviso = await repo.aviso(session, aviso_id=aviso_id, travar=True)
        if aviso is None:
            raise NotFound(texts.BOTAO_EXPIRADO)
        return aviso
