"""CRM contacts: create and edit with validated e-mail and normalised phone, list, search, show,
archive (out of sight, links kept) and remove (only one no processo names).

An e-mail address identifies one contact: a second contact with the same address is refused
with a pointer to the first, so the team does not split one client's history across two cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.acentos import sem_acentos
from bot.contatos.regras import (
    APAGAR,
    CAMPOS,
    normalizar_telefone,
    validar_email,
    validar_empresa,
    validar_nome,
    validar_notas,
)
from bot.entrada.efeito import referencia
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.fluxos import ChatUsuario, consumir
from bot.usuarios.regras import gerencia
from db.engine import Sessions
from db.models import Contato, Processo, Usuario
from db.repositories import contatos as repo

POR_PAGINA = 10


@dataclass(frozen=True)
class Cartao:
    """A contact and the processos of theirs the caller may see."""

    contato: Contato
    processos: list[Processo]


@dataclass(frozen=True)
class PaginaContatos:
    """One page of contacts."""

    itens: list[Contato]
    pagina: int
    tem_mais: bool


class ContatoService:
    """The team's shared contact book; every registered user may read and add to it."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def criar(
        self,
        autor: Usuario,
        *,
        nome: str,
        empresa: str | None = None,
        email: str | None = None,
        telefone: str | None = None,
        notas: str | None = None,
        formulario: ChatUsuario | None = None,
    ) -> Contato:
        """Create a contact after validating every field (consuming its guided form, if any)."""
        contato = Contato(
            nome=validar_nome(nome),
            empresa=validar_empresa(empresa) or None if empresa else None,
            email=validar_email(email) if email else None,
            telefone=normalizar_telefone(telefone) if telefone else None,
            notas=validar_notas(notas) or None if notas else None,
            criado_por_id=autor.id,
        )
        try:
            async with self._sessions.begin() as session:
                await consumir(session, formulario)
                await _email_livre(session, contato.email, exceto=None)
                session.add(contato)
                referencia(session, f"contato {contato.nome}")
        except IntegrityError:
            await self._explicar_conflito(contato.email, exceto=None)
            raise
        return contato

    async def homonimos(self, nome: str) -> list[Contato]:
        """Contacts already called `nome` (a likely duplicate, though names do repeat)."""
        async with self._sessions() as session:
            return await repo.homonimos(session, nome=nome)

    async def verificar_email(self, texto: str) -> str:
        """The normalised address, refused when invalid or already some contact's."""
        email = validar_email(texto)
        async with self._sessions() as session:
            await _email_livre(session, email, exceto=None)
        return email

    async def editar(self, contato_id: int, campo: str, texto: str) -> Contato:
        """Change one field; optional ones are cleared with 'apagar'."""
        validar = CAMPOS.get(campo)
        if validar is None:
            raise InvalidInput(texts.BOTAO_EXPIRADO)
        apagar = campo != "nome" and sem_acentos(texto.strip().lower()) in APAGAR
        valor = None if apagar else validar(texto) or None
        try:
            async with self._sessions.begin() as session:
                contato = await repo.por_id(session, contato_id=contato_id, travar=True)
                if contato is None:
                    raise NotFound(texts.CONTATO_NAO_ENCONTRADO)
                if campo == "email":
                    await _email_livre(session, valor, exceto=contato_id)
                setattr(contato, campo, valor)
        except IntegrityError:
            await self._explicar_conflito(valor, exceto=contato_id)
            raise
        return contato

    async def arquivar(self, contato_id: int, *, arquivar: bool) -> Contato:
        """Archive a contact (out of lists, searches and /novo; links kept), or bring it back."""
        async with self._sessions.begin() as session:
            contato = await repo.por_id(session, contato_id=contato_id, travar=True)
            if contato is None:
                raise NotFound(texts.CONTATO_NAO_ENCONTRADO)
            if arquivar and contato.arquivado_em is None:
                contato.arquivado_em = datetime.now(UTC)
            elif not arquivar:
                contato.arquivado_em = None
        return contato

    async def remover(self, usuario: Usuario, contato_id: int) -> Contato:
        """Delete a contact no processo names; only its creator, gestores and admins may."""
        async with self._sessions.begin() as session:
            contato = await repo.por_id(session, contato_id=contato_id, travar=True)
            if contato is None:
                raise NotFound(texts.CONTATO_NAO_ENCONTRADO)
            if not gerencia(usuario) and contato.criado_por_id != usuario.id:
                raise NotAllowed(texts.CONTATO_REMOCAO_NEGADA)
            vinculados = await repo.processos_vinculados(session, contato_id=contato_id)
            if vinculados:
                raise InvalidInput(texts.contato_em_uso(vinculados))
            await repo.remover(session, contato=contato)
        return contato

    async def _explicar_conflito(self, email: str | None, *, exceto: int | None) -> None:
        """Someone saved the same address a moment ago: say whose it is (the index said no)."""
        async with self._sessions() as session:
            await _email_livre(session, email, exceto=exceto)

    async def listar(self, *, pagina: int = 0) -> PaginaContatos:
        """Contacts by name, a page at a time."""
        pagina = max(pagina, 0)
        async with self._sessions() as session:
            itens = await repo.pagina(session, offset=pagina * POR_PAGINA, limite=POR_PAGINA + 1)
        return PaginaContatos(itens[:POR_PAGINA], pagina, len(itens) > POR_PAGINA)

    async def buscar(self, texto: str, *, limite: int = 10) -> list[Contato]:
        """Contacts matching name, company or e-mail."""
        if not any(ch.isalnum() for ch in texto):
            raise InvalidInput(texts.BUSCA_CONTATOS_VAZIA)
        async with self._sessions() as session:
            return await repo.buscar(session, texto=texto, limite=limite)

    async def cartao(self, usuario: Usuario, contato_id: int) -> Cartao:
        """A contact with the processos the user may see."""
        async with self._sessions() as session:
            contato = await repo.por_id(session, contato_id=contato_id)
            if contato is None:
                raise NotFound(texts.CONTATO_NAO_ENCONTRADO)
            processos = await repo.processos_do_contato(
                session, contato_id=contato_id, usuario=usuario
            )
        return Cartao(contato, processos)


async def _email_livre(session: AsyncSession, email: str | None, *, exceto: int | None) -> None:
    """Refuse an address another contact already has."""
    if email is None:
        return
    outro = await repo.por_email(session, email=email)
    if outro is not None and outro.id != exceto:
        raise InvalidInput(texts.email_duplicado(outro))
