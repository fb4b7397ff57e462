"""Cogep: a Telegram bot for a pt-BR software team (processos, mentor, knowledge base, notices)."""
