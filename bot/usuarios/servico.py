"""Users: registration, access, profile, papel and whether they still accept messages.

Access: when ADMIN_TELEGRAM_IDS names admins (and COGEP_CADASTRO_ABERTO is unset), a newcomer
is registered as 'pendente' and the admins get a notice with Liberar/Recusar buttons; until an
admin lets them in, they reach none of the team's data. Configured admins always get in.
Notices (the request, the decision) are outbox rows written in the transaction that decides.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot import texts
from bot.acentos import sem_acentos
from bot.errors import InvalidInput, NotAllowed, NotFound, NotRegistered
from bot.fusos import ler_fuso
from bot.higiene import inteiro, visivel
from bot.notificacoes.caixa import Acoes, Nota, Notifier, SilentNotifier, teclado
from bot.settings import Settings
from bot.usuarios.regras import exigir_admin
from db.engine import Sessions
from db.models import Usuario
from db.repositories import usuarios as repo

NOME_MAX = 128
SINONIMOS_PAPEL = {
    "membro": "membro", "membra": "membro",
    "gestor": "gestor", "gestora": "gestor", "gerente": "gestor",
    "admin": "admin", "administrador": "admin", "administradora": "admin", "adm": "admin",
}  # fmt: skip
BotoesDePedido = Callable[[int], Acoes]
"""The Liberar/Recusar buttons under an access request, given the newcomer's id: how a button
is encoded is the handlers' business (`handlers.teclados.pedido_de_acesso`), handed in."""


class VariosUsuarios(InvalidInput):
    """A name given to /papel or /acesso matches several people: the admin picks one."""

    def __init__(self, quem: str, candidatos: list[Usuario]) -> None:
        super().__init__(texts.varios_usuarios(quem, len(candidatos)))
        self.candidatos = candidatos


@dataclass(frozen=True)
class Registro:
    """The outcome of /start."""

    usuario: Usuario
    novo: bool


@dataclass(frozen=True)
class Decisao:
    """An admin's decision on someone's access, and what it was before."""

    usuario: Usuario
    antes: str

    @property
    def mudou(self) -> bool:
        """Whether the decision changed anything."""
        return self.usuario.acesso != self.antes


class UsuarioService:
    """Register and update users; every method is one short transaction."""

    def __init__(
        self,
        sessions: Sessions,
        settings: Settings,
        notifier: Notifier | None = None,
        *,
        botoes_de_pedido: BotoesDePedido | None = None,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._notifier = notifier or SilentNotifier()
        self._botoes_de_pedido = botoes_de_pedido

    async def registrar(
        self, *, telegram_id: int, nome: str, username: str | None, origem: str | None = None
    ) -> Registro:
        """Register the caller, or refresh a known one; admins come from ADMIN_TELEGRAM_IDS."""
        admin = telegram_id in self._settings.admin_telegram_ids
        acesso = "pendente" if self._settings.aprovacao and not admin else "liberado"

        async def upsert(connection: AsyncConnection) -> tuple[Usuario, bool]:
            return await repo.registrar(
                connection,
                telegram_id=telegram_id,
                nome=_nome_visivel(nome) or "Sem nome",
                username=username,
                papel="admin" if admin else "membro",
                fuso_horario=self._settings.timezone,
                origem=(origem or None) and origem[:64],
                acesso=acesso,
                promover=admin,
            )

        # Registering again changes nothing, so /start is no change a replay must refuse
        # (efeito=False): it stays one round trip.
        if acesso == "liberado":  # one upsert: atomic on its own, no BEGIN/COMMIT round trips
            async with self._sessions.connect(efeito=False) as connection:
                usuario, novo = await upsert(connection)
            return Registro(usuario=usuario, novo=novo)
        # A newcomer may be asking for access: the admins' notices commit with the row.
        async with self._sessions.begin(efeito=False) as session:
            usuario, novo = await upsert(await session.connection())
            if novo and usuario.acesso == "pendente":
                await self._pedir_liberacao(session, usuario)
        self._notifier.acordar()
        return Registro(usuario=usuario, novo=novo)

    async def _pedir_liberacao(self, session: AsyncSession, novo: Usuario) -> None:
        """Ask every admin, with one-tap buttons, to let the newcomer in."""
        admins = await repo.admins_ativos(session)
        botoes = teclado(self._botoes_de_pedido(novo.id)) if self._botoes_de_pedido else None
        notas = [
            Nota(
                chave=f"acesso:pedido:{novo.id}:{admin.id}",
                tipo="acesso",
                chat_id=admin.telegram_id,
                usuario_id=admin.id,
                texto=texts.pedido_de_acesso(novo),
                teclado=botoes,
            )
            for admin in admins
        ]
        await self._notifier.escrever(session, *notas)

    async def decidir_acesso(
        self, admin: Usuario, usuario_id: int, *, liberar: bool, so_pendente: bool = False
    ) -> Decisao:
        """Let someone in, or keep them out (refuse a newcomer, revoke a member); admins only.

        `so_pendente` is for the buttons under a request: an old button never overturns what
        an admin already decided. The person is told when their access changes.
        """
        exigir_admin(admin)
        acesso = "liberado" if liberar else "recusado"
        async with self._sessions.begin() as session:
            alvo = await repo.por_id(session, usuario_id=usuario_id, travar=True)
            if alvo is None:
                raise NotFound(texts.USUARIO_NAO_ENCONTRADO)
            if alvo.id == admin.id and not liberar:
                raise NotAllowed(texts.NAO_REVOGUE_A_SI)
            decisao = Decisao(alvo, antes=alvo.acesso)
            if not so_pendente or decisao.antes == "pendente":
                alvo.acesso = acesso
            if decisao.mudou:
                await self._avisar_decisao(session, decisao, liberar=liberar)
        self._notifier.acordar()
        return decisao

    async def _avisar_decisao(
        self, session: AsyncSession, decisao: Decisao, *, liberar: bool
    ) -> None:
        """Tell the person their access changed (in the decision's transaction)."""
        alvo = decisao.usuario
        if liberar:
            aviso = texts.ACESSO_LIBERADO_AVISO
        elif decisao.antes == "liberado":
            aviso = texts.ACESSO_REVOGADO
        else:
            aviso = texts.CADASTRO_RECUSADO
        nota = Nota(
            chave=f"acesso:{alvo.id}:{uuid.uuid4().hex}",  # each decision is news of its own
            tipo="acesso",
            chat_id=alvo.telegram_id,
            usuario_id=alvo.id,
            texto=aviso,
        )
        await self._notifier.escrever(session, nota)

    async def definir_acesso(self, admin: Usuario, quem: str | int, acao: str) -> Decisao:
        """`/acesso @ana liberar|revogar` (a name, an id or a chosen user's row id)."""
        exigir_admin(admin)
        liberar = {"liberar": True, "revogar": False}.get(acao.strip().lower())
        if liberar is None:
            raise InvalidInput(texts.ACESSO_USO)
        async with self._sessions() as session:
            alvo = await _localizar(session, quem)
        return await self.decidir_acesso(admin, alvo.id, liberar=liberar)

    async def carregar(self, telegram_id: int) -> Usuario | None:
        """The registered user, or None."""
        async with self._sessions() as session:
            return await repo.por_telegram_id(session, telegram_id=telegram_id)

    async def renomear(self, telegram_id: int, nome: str) -> Usuario:
        """Change the display name (1–128 characters, no line breaks)."""
        limpo = _clean_name(nome)
        if not limpo:
            raise InvalidInput(texts.NOME_VAZIO)
        if not visivel(limpo):
            raise InvalidInput(texts.NOME_INVISIVEL)
        if len(limpo) > NOME_MAX:
            raise InvalidInput(texts.NOME_LONGO)
        return await self._atualizar(telegram_id, nome=limpo)

    async def definir_fuso(self, telegram_id: int, fuso: str) -> Usuario:
        """Change the user's time zone: an IANA name, a city (`Manaus`) or an offset (`GMT-3`)."""
        zona = ler_fuso(fuso)
        if zona is None:
            raise InvalidInput(texts.fuso_invalido(fuso))
        return await self._atualizar(telegram_id, fuso_horario=zona)

    async def ver(self, admin: Usuario, usuario_id: int) -> Usuario:
        """One person's row, for an admin's card under /usuarios."""
        exigir_admin(admin)
        async with self._sessions() as session:
            return await _localizar(session, usuario_id)

    async def listar(self, admin: Usuario) -> list[Usuario]:
        """Every user, for an admin."""
        exigir_admin(admin)
        async with self._sessions() as session:
            return await repo.listar(session)

    async def definir_papel(
        self, admin: Usuario, quem: str | int, papel: str
    ) -> tuple[Usuario, bool]:
        """Make `quem` a membro, gestor or admin; it lets them in.

        `quem` is what the admin typed (@username, Telegram id or a name; `VariosUsuarios` when
        a name fits several people) or the row id of the user picked with a button.

        Returns the user and whether anything changed.
        """
        exigir_admin(admin)
        escolhido = ler_papel(papel)
        async with self._sessions.begin() as session:
            alvo = await _localizar(session, quem)
            if alvo.telegram_id == admin.telegram_id and escolhido != "admin":
                raise NotAllowed(texts.NAO_REBAIXE_A_SI)
            if (alvo.papel, alvo.acesso) == (escolhido, "liberado"):
                return alvo, False
            atualizado = await repo.atualizar(
                session, telegram_id=alvo.telegram_id, papel=escolhido, acesso="liberado"
            )
        assert atualizado is not None
        return atualizado, True

    async def marcar_ativo(self, telegram_id: int, ativo: bool) -> None:
        """Record that the user blocked (False) or unblocked (True) the bot."""
        async with self._sessions(efeito=False) as session:  # a fact, idempotent
            await repo.atualizar(session, telegram_id=telegram_id, ativo=ativo)

    async def _atualizar(self, telegram_id: int, **valores: object) -> Usuario:
        async with self._sessions.begin() as session:  # one UPDATE, and the update's mark
            usuario = await repo.atualizar(session, telegram_id=telegram_id, **valores)
        if usuario is None:
            raise NotRegistered(texts.PRECISA_CADASTRO)
        return usuario


def ler_papel(texto: str) -> str:
    """The papel a word names (`gestora`, `Admin`...), or InvalidInput."""
    papel = SINONIMOS_PAPEL.get(sem_acentos(texto.strip().lower()))
    if papel is None:
        raise InvalidInput(texts.papel_desconhecido(texto))
    return papel


async def _localizar(session: AsyncSession, quem: str | int) -> Usuario:
    """The user picked by row id (an int, from a button), or typed as `@username`, Telegram id
    or name (every word a prefix, accents ignored; several matches raise `VariosUsuarios`)."""
    if isinstance(quem, int):
        escolhido = await repo.por_id(session, usuario_id=quem)
        if escolhido is None:
            raise NotFound(texts.USUARIO_NAO_ENCONTRADO)
        return escolhido
    digitado = quem.strip()
    quem = digitado.lstrip("@")
    if not digitado.startswith("@") and not quem.isdigit():
        achados = await repo.por_nome(session, nome=quem)
        if len(achados) > 1:
            for achado in achados:  # kept readable after the transaction rolls back
                session.expunge(achado)
            raise VariosUsuarios(quem, achados)
        alvo = achados[0] if achados else await repo.por_username(session, username=quem)
    elif quem.isdigit():
        telegram_id = inteiro(quem)
        if telegram_id is None:
            raise NotFound(texts.USUARIO_NAO_ENCONTRADO)
        alvo = await repo.por_telegram_id(session, telegram_id=telegram_id)
    else:
        alvo = await repo.por_username(session, username=quem)
    if alvo is None:
        raise NotFound(texts.USUARIO_NAO_ENCONTRADO)
    return alvo


def _clean_name(nome: str) -> str:
    """Collapse whitespace and drop control characters from a display name."""
    visible = "".join(ch for ch in nome if ch.isprintable() or ch == " ")
    return " ".join(visible.split())


def _nome_visivel(nome: str) -> str:
    """The cleaned name, or "" when nothing of it shows (zero-width or blank characters)."""
    limpo = _clean_name(nome)
    return limpo if visivel(limpo) else ""
