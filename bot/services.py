"""The services a handler may call, built once at start-up (see `bot.app`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conhecimento import ConhecimentoService
from bot.contatos import ContatoService
from bot.fluxos import FluxoService
from bot.grupos import GrupoService
from bot.mentor import MentorService, Modelo
from bot.notificacoes import BotoesDeAviso, Caixa, NotificacaoService, Notifier
from bot.notificacoes.avisos import AvisoService
from bot.notificacoes.lembretes import LembreteService
from bot.notificacoes.vigia import Vigia
from bot.processos import ProcessoService
from bot.processos.relatorio import RelatorioService
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
    relatorios: RelatorioService
    contatos: ContatoService
    grupos: GrupoService
    conhecimento: ConhecimentoService
    notificacoes: NotificacaoService
    lembretes: LembreteService
    avisos: AvisoService
    mentor: MentorService

    @classmethod
    def build(
        cls,
        settings: Settings,
        sessions: Sessions,
        *,
        notifier: Notifier | None = None,
        botoes_de_pedido: BotoesDePedido | None = None,
        botoes_de_aviso: BotoesDeAviso | None = None,
    ) -> Services:
        """Wire the services on one session factory.

        `notifier` replaces the outbox (the console prints instead); `botoes_de_pedido` and
        `botoes_de_aviso` (buttons under access requests and pushed notices): see
        `bot.usuarios` and `bot.notificacoes`.
        """
        caixa = Caixa(sessions)
        lembretes = LembreteService(sessions, settings, caixa, botoes=botoes_de_aviso)
        processos = ProcessoService(sessions, settings, notifier or caixa)
        conhecimento = ConhecimentoService(sessions, settings, notifier or caixa)
        mentor = MentorService(
            sessions, settings, processos, modelo=Modelo.de(settings),
            conhecimento=conhecimento, lembretes=lembretes, caixa=caixa, botoes=botoes_de_aviso,
        )  # fmt: skip
        return cls(
            settings=settings,
            sessions=sessions,
            usuarios=UsuarioService(
                sessions, settings, notifier or caixa, botoes_de_pedido=botoes_de_pedido
            ),
            fluxos=FluxoService(sessions),
            processos=processos,
            relatorios=RelatorioService(sessions),
            contatos=ContatoService(sessions),
            grupos=GrupoService(sessions),
            conhecimento=conhecimento,
            notificacoes=NotificacaoService(
                sessions, settings, caixa, Vigia(sessions, caixa, lembretes, botoes=botoes_de_aviso)
            ),
            lembretes=lembretes,
            avisos=AvisoService(sessions, caixa),
            mentor=mentor,
        )
