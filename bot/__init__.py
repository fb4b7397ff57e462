"""Cogep: a Telegram bot for a pt-BR software team (processos, mentor, knowledge base, notices)."""

import os

# Opt in now to PTB 23's behaviour (durations such as RetryAfter.retry_after as timedelta);
# our code handles both, and this silences the deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
