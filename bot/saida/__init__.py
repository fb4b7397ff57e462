"""The way out to Telegram: every send and edit of the bot, one module each job.

    resultado    what a send came to — `Enviada`, `Espere` (429), `Bloqueado` (403),
                 `Falhou` (definitive, or transient) — plain data, so the outbox's sender
                 (bot.notificacoes.entrega) reads it without knowing Telegram
    envio        sends and edits Telegram-HTML in parts, with the plain-text fallback and the
                 one reading of Telegram's errors (`classificar`); the handlers' `reply_html`,
                 `send_html`, `edit_html`, `edit_teclado`, `redesenhar`, which hand a reply
                 refused by 429 past its retries to the outbox (`RespostaAdiada`)
    ritmo        `Limitador`: PTB's rate-limiter hook on `bot.notificacoes.ritmo.Ritmo`, so every
                 send of the process is paced under 30/s overall, 1/s per chat, 20/min per group,
                 and a 429 pauses that chat alone
    transporte   the outbox's transport (`TelegramTransporte`) and the sender's start and stop
    transmissao  a mentor answer streamed into a chat, then delivered whole

This package is the composition root's adapter: it may import `telegram`, the handlers may
use it, services may not (but for `resultado`), and it never imports `handlers`.
"""
