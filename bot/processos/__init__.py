"""Processos: rules (`regras`), the one-line form of /novo (`linha`) and the service."""

from bot.processos.linha import Rascunho, interpretar_linha
from bot.processos.servico import Detalhe, Pagina, ProcessoService

__all__ = ["Detalhe", "Pagina", "ProcessoService", "Rascunho", "interpretar_linha"]
