"""The inbox: every Telegram update stored once, before Telegram is told it arrived.

    caixa    CaixaDeEntrada: the inbox in PostgreSQL (admit a batch, mark done, replay, prune)
    porta    BotComEntrada, FilaDeEntrada, Porta: where PTB hands updates over (getUpdates, the
             webhook) and where a start-up fault becomes one clear line
    presenca Presenca: the advisory lock that says this process is alive; each update is owned
             by the process that admitted it, and only a dead owner's are replayed by others
    efeito   SessoesComEntrada: an update's first write transaction carries its inbox mark,
             so a replay never repeats the change and a lost COMMIT is told truthfully

An update's life: fetched -> cleaned (`bot.higiene`) -> stored (`updates_recebidos`, a second
copy dropped) -> confirmed to Telegram -> handled in order per chat (`bot.ordering`), its
change marked `efetivado` in the change's own transaction -> marked `concluido`. At start,
whatever a crash left unhandled is handled first, once; with replicas, what a dead one left is
taken over by a live one (at its start, or within `bot.app.ORFAS_A_CADA`).
"""
