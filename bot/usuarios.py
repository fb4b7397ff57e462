"""Users: registration, profile, papel and whether they still accept messages."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import texts
from bot.errors import InvalidInput, NotAllowed, NotFound, NotRegistered
from bot.settings import Settings
from db.engine import Sessions
from db.models import PAPEIS, Usuario
from db.repositories import usuarios as repo

NOME_MAX = 128


@dataclass(frozen=True)
class Registro:
    """The outcome of /start."""

    usuario: Usuario
    novo: bool


class UsuarioService:
    """Register and update users; every method is one short transaction."""

    def __init__(self, sessions: Sessions, settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings

    async def registrar(
        self, *, telegram_id: int, nome: str, username: str | None, origem: str | None = None
    ) -> Registro:
        """Register the caller, or refresh a known one; admins come from ADMIN_TELEGRAM_IDS."""
        admin = telegram_id in self._settings.admin_telegram_ids
        async with self._sessions.connect() as connection:  # one upsert: atomic on its own
            usuario, novo = await repo.registrar(
                connection,
                telegram_id=telegram_id,
                nome=_clean_name(nome) or "Sem nome",
                username=username,
                papel="admin" if admin else "membro",
                fuso_horario=self._settings.timezone,
                origem=(origem or None) and origem[:64],
                promover=admin,
            )
        return Registro(usuario=usuario, novo=novo)

    async def carregar(self, telegram_id: int) -> Usuario | None:
        """The registered user, or None."""
        async with self._sessions() as session:
            return await repo.por_telegram_id(session, telegram_id=telegram_id)

    async def renomear(self, telegram_id: int, nome: str) -> Usuario:
        """Change the display name (1–128 characters, no line breaks)."""
        limpo = _clean_name(nome)
        if not limpo:
            raise InvalidInput(texts.NOME_VAZIO)
        if len(limpo) > NOME_MAX:
            raise InvalidInput(texts.NOME_LONGO)
        return await self._atualizar(telegram_id, nome=limpo)

    async def definir_fuso(self, telegram_id: int, fuso: str) -> Usuario:
        """Change the user's time zone (an IANA name such as America/Manaus)."""
        try:
            ZoneInfo(fuso.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(texts.FUSO_INVALIDO) from None
        return await self._atualizar(telegram_id, fuso_horario=fuso.strip())

    async def definir_notificacoes(self, telegram_id: int, ativas: bool) -> Usuario:
        """Turn push notices on or off."""
        return await self._atualizar(telegram_id, notificacoes_ativas=ativas)

    async def definir_hora_resumo(self, telegram_id: int, hora: int) -> Usuario:
        """Set the hour (0–23, in the user's zone) of the daily digest."""
        if not 0 <= hora <= 23:
            raise InvalidInput(texts.HORA_INVALIDA)
        return await self._atualizar(telegram_id, hora_resumo=hora)

    async def listar(self, admin: Usuario) -> list[Usuario]:
        """Every user, for an admin."""
        if admin.papel != "admin":
            raise NotAllowed(texts.SO_ADMIN)
        async with self._sessions() as session:
            return await repo.listar(session)

    async def definir_papel(self, admin: Usuario, quem: str, papel: str) -> Usuario:
        """Make `quem` (@username or Telegram id) a membro, gestor or admin."""
        if admin.papel != "admin":
            raise NotAllowed(texts.SO_ADMIN)
        papel = papel.strip().lower()
        if papel not in PAPEIS:
            raise InvalidInput(texts.PAPEL_USO)
        quem = quem.strip().lstrip("@")
        async with self._sessions.begin() as session:
            if quem.isdigit():
                alvo = await repo.por_telegram_id(session, telegram_id=int(quem))
            else:
                alvo = await repo.por_username(session, username=quem)
            if alvo is None:
                raise NotFound(texts.USUARIO_NAO_ENCONTRADO)
            if alvo.telegram_id == admin.telegram_id and papel != "admin":
                raise NotAllowed(texts.NAO_REBAIXE_A_SI)
            atualizado = await repo.atualizar(session, telegram_id=alvo.telegram_id, papel=papel)
        assert atualizado is not None
        return atualizado

    async def marcar_ativo(self, telegram_id: int, ativo: bool) -> None:
        """Record that the user blocked (False) or unblocked (True) the bot."""
        async with self._sessions() as session:
            await repo.atualizar(session, telegram_id=telegram_id, ativo=ativo)

    async def _atualizar(self, telegram_id: int, **valores: object) -> Usuario:
        async with self._sessions() as session:  # one UPDATE ... RETURNING
            usuario = await repo.atualizar(session, telegram_id=telegram_id, **valores)
        if usuario is None:
            raise NotRegistered(texts.PRECISA_CADASTRO)
        return usuario


def _clean_name(nome: str) -> str:
    """Collapse whitespace and drop control characters from a display name."""
    visible = "".join(ch for ch in nome if ch.isprintable() or ch == " ")
    return " ".join(visible.split())
