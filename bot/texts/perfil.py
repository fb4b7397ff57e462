"""/perfil: the card, its buttons and the questions it asks."""

from __future__ import annotations

from bot.fusos import descrever as descrever_fuso
from bot.render import escape, shorten

__all__ = [
    "BOTAO_FUSO",
    "BOTAO_NOME",
    "BOTAO_PERFIL_NOTIFICACOES",
    "HORA_INVALIDA",
    "NOME_LONGO",
    "NOME_VAZIO",
    "PAPEL_NOME",
    "PERFIL_ATUALIZADO",
    "PERGUNTA_FUSO",
    "PERGUNTA_NOME",
    "fuso_invalido",
    "perfil",
]

# -- /perfil -----------------------------------------------------------------------------------
NOME_VAZIO = "O nome não pode ficar vazio."
NOME_LONGO = "Nome longo demais (máximo 128 caracteres)."


def fuso_invalido(texto: str) -> str:
    """A time zone Cogep could not place."""
    return (
        f"Não reconheci o fuso <b>{escape(shorten(texto.strip(), 40))}</b>. Toque num dos botões, "
        "ou envie uma cidade (<i>Manaus</i>, <i>Lisboa</i>), um deslocamento (<i>GMT-3</i>) "
        "ou um nome como <code>America/Sao_Paulo</code>."
    )


HORA_INVALIDA = "Hora inválida: escolha de 0 a 23."
PERGUNTA_NOME = "Qual nome devo usar? Envie o novo nome (ou /cancelar)."
PERGUNTA_FUSO = (
    "Qual o seu fuso horário? Toque num dos botões, ou envie uma cidade (<i>Manaus</i>, "
    "<i>Lisboa</i>) ou um deslocamento (<i>GMT-3</i>). /cancelar para deixar como está."
)
PERFIL_ATUALIZADO = "Perfil atualizado."
BOTAO_NOME = "✏️ Nome"
BOTAO_FUSO = "🌎 Fuso horário"
BOTAO_PERFIL_NOTIFICACOES = "🔔 Notificações e resumo diário"

PAPEL_NOME = {"membro": "membro", "gestor": "gestor", "admin": "administrador"}


def perfil(
    *,
    nome: str,
    username: str | None,
    papel: str,
    fuso: str,
    notificacoes: bool,
    hora_resumo: int,
) -> str:
    """The /perfil card."""
    user = f" (@{escape(username)})" if username else ""
    estado = "ligadas" if notificacoes else "desligadas"
    return (
        f"<b>Seu perfil</b>\n\n"
        f"Nome: <b>{escape(nome)}</b>{user}\n"
        f"Papel: {PAPEL_NOME.get(papel, papel)}\n"
        f"Fuso horário: {escape(descrever_fuso(fuso))}\n"
        f"Notificações: {estado}\n"
        f"Resumo diário: {hora_resumo:02d}:00\n"
        "(liga, desliga, horário do resumo e silêncio: /notificacoes)\n\n"
        "Toque num botão para alterar."
    )
