"""Notificações: every push the bot makes goes through one durable path (issue 15).

    caixa          the outbox door: `Nota`, `Caixa.escrever` (in the caller's transaction),
                   `Caixa.enfileirar_resposta` (a reply refused by 429, sent first: the one
                   send-later queue), the `Notifier` protocol
    entrega        the sender: claim due rows (SKIP LOCKED), send per chat lane, record outcomes
    ritmo          Telegram's limits: 30/s overall, 1/s per private chat, 20/min per group, 429s
                   (the pacer every send of the process goes through, via bot.saida.ritmo)
    preferencias   the /notificacoes switches and quiet hours
    servico        NotificacaoService: the outbox, the sender factory, the blocked-user rule
    vigia          the scheduler's round (every 30 s, on the leader): what is due, to the outbox
    lider          one scheduler leader among replicas (a PostgreSQL advisory lock)
    lembretes      LembreteService: personal reminders, once or recurring
    recorrencia    recurring reminders in pt-BR ("toda segunda 9h", "todo dia útil 18h")
    avisos         AvisoService: an admin's announcement (preview, confirm, progress, cancel)

Telegram itself is reached only through a `Transporte` (bot.saida.transporte), whose outcomes
are `bot.saida.resultado`'s plain data; nothing here imports `telegram`.
"""

from bot.notificacoes.caixa import Acoes, BotoesDeAviso, Caixa, Nota, Notifier, SilentNotifier
from bot.notificacoes.servico import NotificacaoService

__all__ = [
    "Acoes",
    "BotoesDeAviso",
    "Caixa",
    "Nota",
    "NotificacaoService",
    "Notifier",
    "SilentNotifier",
]
