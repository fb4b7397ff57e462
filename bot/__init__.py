"""Cogep: a Telegram bot for a pt-BR software team (processos, mentor, knowledge base, notices)."""

import os

# Opt in now to PTB 23's behaviour (durations such as RetryAfter.retry_after as timedelta):
# `bot.saida.ritmo.segundos` reads it as a timedelta, and no 429 logs a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
