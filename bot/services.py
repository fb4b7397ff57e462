"""The services a handler may call, built once at start-up (see `bot.app`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.avisos import Notifier, SilentNotifier
from bot.conhecimento import ConhecimentoService
from bot.contatos import ContatoService
from bot.fluxos import FluxoService
from bot.grupos import GrupoService
from bot.processos import ProcessoService
from bot.settings import Settings
from bot.usuarios import BotoesDePedido, UsuarioService
from db.engine import Sessions


@dataclass(frozen=True)
class Services:
    """Everything handlers reach through `context.services`."""

    settings: Settings
    sessions: Sessions
    usuarios: UsuarioService
    fluxos: FluxoService
    processos: ProcessoService
    contatos: ContatoService
    grupos: GrupoService
    conhecimento: ConhecimentoService

    @classmethod
    def build(
        cls,
        settings: Settings,
        sessions: Sessions,
        *,
        notifier: Notifier | None = None,
        botoes_de_pedido: BotoesDePedido | None = None,
    ) -> Services:
        """Wire the services on one session factory (`botoes_de_pedido`: see `bot.usuarios`)."""
        return cls(
            settings=settings,
            sessions=sessions,
            usuarios=UsuarioService(
                sessions, settings, notifier, botoes_de_pedido=botoes_de_pedido
            ),
            fluxos=FluxoService(sessions),
            processos=ProcessoService(sessions, settings, notifier or SilentNotifier()),
            contatos=ContatoService(sessions),
            grupos=GrupoService(sessions),
            conhecimento=ConhecimentoService(sessions, settings, notifier or SilentNotifier()),
        )
