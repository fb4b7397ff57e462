"""Usuários and access: /usuarios, /papel, /acesso, access requests and decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.render import escape, shorten
from bot.texts.perfil import PAPEL_NOME

if TYPE_CHECKING:
    from db.models import Usuario

__all__ = [
    "ACESSO_ICONE",
    "ACESSO_LIBERADO_AVISO",
    "ACESSO_RECUSADO",
    "ACESSO_REVOGADO",
    "ACESSO_USO",
    "AGUARDANDO_LIBERACAO",
    "BOTAO_LIBERAR",
    "BOTAO_PAPEL",
    "BOTAO_RECUSAR",
    "BOTAO_REVOGAR",
    "CADASTRO_RECUSADO",
    "NAO_REBAIXE_A_SI",
    "NAO_REVOGUE_A_SI",
    "PAPEL_USO",
    "SO_ADMIN",
    "acesso_decidido",
    "cadastro_recebido",
    "cartao_usuario",
    "lista_usuarios",
    "papel_definido",
    "papel_desconhecido",
    "pedido_de_acesso",
    "pendentes",
    "varios_usuarios",
]

# -- admin ---------------------------------------------------------------------------------------
SO_ADMIN = "Só administradores podem fazer isso."
PAPEL_USO = (
    "Use <code>/papel Ana Souza gestor</code> (o nome, o @usuario ou o id do Telegram), ou "
    "toque no nome da pessoa em /usuarios; papéis: <b>membro</b>, <b>gestor</b>, <b>admin</b>."
)
BOTAO_PAPEL = {"membro": "👤 Membro", "gestor": "🧭 Gestor", "admin": "🛡 Admin"}
BOTAO_REVOGAR = "🚫 Revogar acesso"


def varios_usuarios(quem: str, quantos: int) -> str:
    """A name typed to /papel or /acesso that fits several people."""
    return (
        f"{quantos} pessoas combinam com <b>{escape(shorten(quem, 40))}</b>. "
        "Toque em quem você quer:"
    )


def cartao_usuario(usuario: Usuario) -> str:
    """One person, as an admin sees them under /usuarios, with papel and access buttons."""
    arroba = f" @{escape(usuario.username)}" if usuario.username else ""
    acesso = {
        "liberado": "liberado",
        "pendente": "⏳ aguarda liberação",
        "recusado": "🚫 sem acesso",
    }
    bloqueou = "" if usuario.ativo else "\n💤 Bloqueou o bot."
    return (
        f"👤 <b>{escape(usuario.nome)}</b>{arroba} · <code>{usuario.telegram_id}</code>\n"
        f"Papel: {PAPEL_NOME[usuario.papel]} · Acesso: {acesso[usuario.acesso]}{bloqueou}"
    )


NAO_REBAIXE_A_SI = "Você não pode tirar o seu próprio papel de administrador."


def papel_definido(nome: str, papel: str, *, mudou: bool) -> str:
    """Confirmation of /papel."""
    if not mudou:
        return f"<b>{escape(nome)}</b> já tem o papel de {PAPEL_NOME[papel]}; nada mudou."
    return f"<b>{escape(nome)}</b> agora tem o papel de {PAPEL_NOME[papel]}."


def papel_desconhecido(papel: str) -> str:
    """/papel with a role Cogep does not have."""
    return (
        f"Não conheço o papel <b>{escape(shorten(papel, 30))}</b>. Papéis: <b>membro</b>, "
        "<b>gestor</b> e <b>administrador</b> (ou <i>admin</i>)."
    )


ACESSO_ICONE = {"pendente": "⏳", "recusado": "🚫"}


def lista_usuarios(usuarios: list[Usuario]) -> str:
    """The /usuarios list: who, papel, and whether they got in and still accept messages."""
    linhas = [
        f"{ACESSO_ICONE.get(u.acesso, '👤' if u.ativo else '💤')} <b>{escape(u.nome)}</b>"
        + (f" @{escape(u.username)}" if u.username else "")
        + f" · <code>{u.telegram_id}</code> · {PAPEL_NOME[u.papel]}"
        for u in usuarios
    ]
    legenda = (
        "💤 bloqueou o bot · ⏳ aguarda liberação · 🚫 sem acesso\n"
        "Toque num nome para mudar o papel ou o acesso."
    )
    return f"<b>Usuários ({len(linhas)})</b>\n\n" + "\n".join(linhas) + f"\n\n{legenda}"


# -- access (newcomers wait for an admin when ADMIN_TELEGRAM_IDS is set) --------------------------
AGUARDANDO_LIBERACAO = (
    "Seu cadastro aguarda a liberação de um administrador. Aviso você aqui assim que isso "
    "acontecer."
)
CADASTRO_RECUSADO = (
    "Seu cadastro no Cogep foi recusado por um administrador. Se acha que é um engano, fale com "
    "a sua equipe."
)
ACESSO_RECUSADO = (
    "Seu acesso ao Cogep não está liberado. Se acha que é um engano, fale com um administrador "
    "da equipe."
)
ACESSO_LIBERADO_AVISO = "✅ Seu acesso ao Cogep foi liberado! Veja o que dá para fazer em /ajuda."
ACESSO_REVOGADO = (
    "Seu acesso ao Cogep foi revogado por um administrador. Se acha que é um engano, fale com "
    "a sua equipe."
)
BOTAO_LIBERAR = "✅ Liberar"
BOTAO_RECUSAR = "🚫 Recusar"
ACESSO_USO = (
    "Use <code>/acesso @usuario liberar</code> ou <code>/acesso @usuario revogar</code>; no "
    "lugar do @usuario vale o nome (<code>/acesso Ana Souza liberar</code>) ou o id do "
    "Telegram. Ou toque no nome da pessoa em /usuarios."
)
NAO_REVOGUE_A_SI = "Você não pode revogar o seu próprio acesso."


def cadastro_recebido(nome: str) -> str:
    """The first /start of someone who must wait for an admin."""
    return (
        f"Olá, <b>{escape(nome)}</b>! Recebi seu cadastro no <b>Cogep</b>. Um administrador "
        "precisa liberar seu acesso; aviso você aqui assim que isso acontecer."
    )


def pedido_de_acesso(usuario: Usuario) -> str:
    """The notice admins get about a newcomer."""
    arroba = f" @{escape(usuario.username)}" if usuario.username else ""
    return (
        f"🔔 <b>Novo cadastro</b>: {escape(usuario.nome)}{arroba} · id "
        f"<code>{usuario.telegram_id}</code>\nLiberar o acesso ao Cogep?"
    )


def pendentes(quantos: int) -> str:
    """Under /usuarios, above the buttons for newcomers."""
    return f"\n\n<b>{quantos} aguardando liberação</b> — use os botões abaixo."


def acesso_decidido(nome: str, *, acesso: str, antes: str, por: str) -> str:
    """What became of someone's access, for the admins."""
    quem = f"<b>{escape(nome)}</b>"
    if acesso == antes:
        estado = "com acesso liberado" if acesso == "liberado" else "sem acesso"
        return f"{quem} já estava {estado}; nada mudou."
    if acesso == "liberado":
        return f"✅ Acesso de {quem} liberado por {escape(por)}."
    verbo = "revogado" if antes == "liberado" else "recusado"
    return f"🚫 Acesso de {quem} {verbo} por {escape(por)}."
