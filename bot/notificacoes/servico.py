"""NotificacaoService: the outbox, the sender factory, the scheduler's tick (on the leader) and
the blocked-user rule, in one place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot import texts
from bot.errors import InvalidInput, NotRegistered
from bot.notificacoes.caixa import Caixa
from bot.notificacoes.entrega import Entregador, Transporte
from bot.notificacoes.lider import Lider
from bot.notificacoes.preferencias import CHAVES, TIPOS_TELA, pode_escolher
from bot.notificacoes.vigia import Vigia
from bot.settings import Settings
from db.engine import Sessions
from db.models import Usuario
from db.repositories import usuarios as usuarios_repo


class NotificacaoService:
    """Writes notices (`caixa`) and builds this process's sender."""

    def __init__(
        self,
        sessions: Sessions,
        settings: Settings,
        caixa: Caixa,
        vigia: Vigia,
        *,
        agora: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`vigia` finds due notices on this `caixa`; it runs only while this process leads."""
        self._sessions = sessions
        self._settings = settings
        self.caixa = caixa
        self._agora = agora
        self.vigia = vigia
        self.lider = Lider(sessions)

    async def rodada(self) -> int | None:
        """The scheduler's tick: on the leader, write what is due (how many); None elsewhere."""
        if not await self.lider.sou_lider():
            return None
        return await self.vigia.rodada()

    def entregador(self, transporte: Transporte) -> Entregador:
        """A sender on this database; notices written in this process wake it."""
        entregador = Entregador(
            self._sessions,
            transporte,
            por_segundo=self._settings.notificacoes_por_segundo,
            agora=self._agora,
        )
        self.caixa.ao_escrever(entregador.acordar)
        return entregador

    # -- /notificacoes -------------------------------------------------------------------------
    async def alternar(self, usuario: Usuario, tipo: str) -> Usuario:
        """Turn one kind on or off ('tudo': the master switch)."""
        coluna = "notificacoes_ativas" if tipo == "tudo" else CHAVES.get(TIPOS_TELA.get(tipo, ""))
        if coluna is None or not pode_escolher(usuario, tipo):
            raise InvalidInput(texts.BOTAO_EXPIRADO)
        return await self._atualizar(usuario, **{coluna: not getattr(usuario, coluna)})

    async def definir_hora_resumo(self, usuario: Usuario, hora: int) -> Usuario:
        """The digest's hour (0-23, the user's zone)."""
        if not 0 <= hora <= 23:
            raise InvalidInput(texts.HORA_INVALIDA)
        return await self._atualizar(usuario, hora_resumo=hora)

    async def definir_silencio(self, usuario: Usuario, inicio: int, fim: int) -> Usuario:
        """Quiet hours from `inicio` to `fim` (local hours); equal hours: none."""
        if not (0 <= inicio <= 23 and 0 <= fim <= 23):
            raise InvalidInput(texts.HORA_INVALIDA)
        return await self._atualizar(usuario, silencio_inicio=inicio, silencio_fim=fim)

    async def _atualizar(self, usuario: Usuario, **valores: object) -> Usuario:
        async with self._sessions.begin() as session:  # with the update's mark
            atualizado = await usuarios_repo.atualizar(
                session, telegram_id=usuario.telegram_id, **valores
            )
        if atualizado is None:
            raise NotRegistered(texts.PRECISA_CADASTRO)
        return atualizado

    async def bloqueou(self, telegram_id: int) -> None:
        """The user blocked the bot: inactive until they write again, pending notices dropped.

        The one definition of the rule: the sender applies it on a 403, and so should the
        handlers' error handler and the my_chat_member tracker.
        """
        await Entregador.aplicar_bloqueio(self._sessions, telegram_id)
