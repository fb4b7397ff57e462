"""Grupos: which group chats Cogep serves (only those a gestor or admin vouched for).

    servico   GrupoService: authorise, revoke, the bot added/removed, a group migrated

The gate itself is `handlers.grupos.porteiro`, which runs before every other handler.
"""

from bot.grupos.servico import GrupoService

__all__ = ["GrupoService"]
