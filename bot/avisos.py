"""Moved to bot.notificacoes (issue 11's words: an aviso is only the admin's announcement)."""

from bot.notificacoes.caixa import Acoes as Acoes
from bot.notificacoes.caixa import Notifier as Notifier
from bot.notificacoes.caixa import SilentNotifier as SilentNotifier
