"""Group chats: Cogep serves a group only after a gestor or admin authorised it.

A processo shown in a group is shown to everyone in it, registered or not, so a group is treated
like a person: unknown until someone who may see everything vouches for it. Adding the bot is
vouching when a gestor or admin does it; anyone else's group waits for `/autorizar`.
"""

from __future__ import annotations

from bot import texts
from bot.errors import NotAllowed
from bot.usuarios.regras import gerencia
from db.engine import Sessions
from db.models import Usuario
from db.repositories import grupos as repo
from db.repositories import usuarios as usuarios_repo


class GrupoService:
    """Which groups are served; every method is one short transaction."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def autorizado(self, chat_id: int) -> bool:
        """Whether Cogep answers in this group."""
        async with self._sessions() as session:
            return await repo.autorizado(session, chat_id=chat_id)

    async def bot_adicionado(self, chat_id: int, titulo: str, *, por_telegram_id: int) -> bool:
        """The bot joined a group; it is authorised at once when a gestor or admin added it."""
        async with self._sessions.begin() as session:
            quem = await usuarios_repo.por_telegram_id(session, telegram_id=por_telegram_id)
            vale = quem is not None and quem.ativo and gerencia(quem)  # gerencia: let in too
            await repo.definir(
                session,
                chat_id=chat_id,
                titulo=titulo,
                autorizado=vale,
                por=quem.id if vale and quem else None,
            )
        return vale

    async def bot_removido(self, chat_id: int, titulo: str) -> None:
        """The bot left or was removed: coming back needs a new authorisation."""
        async with self._sessions(efeito=False) as session:  # a fact, idempotent
            await repo.definir(session, chat_id=chat_id, titulo=titulo, autorizado=False, por=None)

    async def autorizar(self, usuario: Usuario, chat_id: int, titulo: str, *, sim: bool) -> None:
        """Authorise (or stop serving) a group; gestores and admins only."""
        if not gerencia(usuario):
            raise NotAllowed(texts.GRUPO_SO_GESTORES)
        async with self._sessions.begin() as session:  # with the update's mark
            await repo.definir(
                session,
                chat_id=chat_id,
                titulo=titulo,
                autorizado=sim,
                por=usuario.id if sim else None,
            )

    async def migrar(self, *, de: int, para: int) -> None:
        """Carry a group's authorisation over to the supergroup it became."""
        async with self._sessions.begin() as session:
            await repo.migrar(session, de=de, para=para)
