"""Notificações: every push the bot makes — outbox, scheduler jobs, paced delivery (issue 15)."""
