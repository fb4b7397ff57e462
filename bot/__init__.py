"""Cogep: a Telegram bot for a pt-BR software team (processos, mentor, knowledge base, notices).

The composition root, which alone wires Telegram in (see docs/architecture.md):
    app          the PTB Application: settings + database + services + handlers, its tasks
    cli          the `cogep` command (run, console, migrate, ingest, backup, restore)
    console      `cogep console`: the same Application in a terminal, no Telegram
    ordering     one user's updates in order, never blocking another's
    enxurrada    per-person flood control: the excess dropped, the person told once
    desligamento graceful shutdown: finish what is in flight, cancel the rest to resume it
    entrada      the durable inbox of updates (each handled once, replayed after a crash)
    saida        every send and edit to Telegram: parts, fallbacks, pacing, typed outcomes
    web          the process's one web server: webhook, health, metrics, the board
    quadro       the board (Mini App): initData check, a JSON API on the same services

One package per domain, with its rules and its service (no Telegram in them):
    usuarios processos contatos grupos fluxos conhecimento mentor notificacoes

Shared infrastructure:
    settings     the one typed settings object
    database     opening the configured or the embedded database
    embedded_db  Cogep's own PostgreSQL when none is configured
    migrations   `upgrade head`, and whether the schema is current
    services     the services a handler reaches as `context.services`
    errors       the one exception tree
    texts        every pt-BR sentence, one module per feature
    render       Telegram-HTML: escaping, Markdown, splitting under 4096
    dates        natural pt-BR dates;  fusos  time zones as typed;  acentos  accent folding
    higiene      input cleaning at the one boundary where text is stored
    logs         one log format, no secret and no user's text
    backup       `cogep backup`/`restore` (pg_dump/pg_restore of the server's major version)
    tarefas      the registry of background tasks, started and stopped in order
    metricas     every Prometheus metric of the process
    calendario   business days and hours (holidays included)
"""

import os

# Opt in now to PTB 23's behaviour (durations such as RetryAfter.retry_after as timedelta):
# `bot.saida.ritmo.segundos` reads it as a timedelta, and no 429 logs a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
