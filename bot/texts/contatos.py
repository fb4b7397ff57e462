"""Contatos (CRM): questions, validation messages, lists and the card."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.render import escape
from bot.texts.processos import linha_processo

if TYPE_CHECKING:
    from db.models import Contato, Processo

__all__ = [
    "BOTAO_ARQUIVAR",
    "BOTAO_CONFIRMAR_REMOCAO",
    "BOTAO_DESARQUIVAR",
    "BOTAO_REMOVER_CONTATO",
    "BUSCA_CONTATOS_VAZIA",
    "CAMPO_CONTATO",
    "CONTATO_ARQUIVADO",
    "CONTATO_ARQUIVADO_MARCA",
    "CONTATO_DESARQUIVADO",
    "CONTATO_NAO_ENCONTRADO",
    "CONTATO_NOME_VAZIO",
    "CONTATO_NOVO_EMAIL",
    "CONTATO_NOVO_EMPRESA",
    "CONTATO_NOVO_NOME",
    "CONTATO_NOVO_NOTAS",
    "CONTATO_NOVO_TELEFONE",
    "CONTATO_REMOCAO_NEGADA",
    "CONTATO_USO",
    "NENHUM_CONTATO",
    "NOVO_VALOR_CONTATO",
    "cartao_contato",
    "confirmar_remocao_contato",
    "contato_criado",
    "contato_em_uso",
    "contato_homonimo",
    "contato_removido",
    "email_duplicado",
    "email_invalido",
    "linha_contato",
    "lista_contatos",
    "pergunta_campo_contato",
    "telefone_invalido",
]

# -- contatos (CRM) ----------------------------------------------------------------------------
CONTATO_NOME_VAZIO = "O nome do contato não pode ficar vazio."
CONTATO_NAO_ENCONTRADO = "Contato não encontrado."
NENHUM_CONTATO = "Nenhum contato cadastrado ainda. Crie um com /contato novo."
CONTATO_NOVO_NOME = "Novo contato. Qual o <b>nome</b>? (/cancelar para desistir)"
CONTATO_NOVO_EMPRESA = "Qual a <b>empresa</b>? (ou Pular)"
CONTATO_NOVO_EMAIL = "Qual o <b>e-mail</b>? (ou Pular)"
CONTATO_NOVO_TELEFONE = "Qual o <b>telefone</b>? Ex.: (11) 98765-4321 (ou Pular)"
CONTATO_NOVO_NOTAS = "Alguma <b>observação</b>? (ou Pular)"
CONTATO_USO = (
    "Use <code>/contato novo</code> (ou <code>/contato novo Maria Silva</code>) para criar, "
    "<code>/contatos</code> para listar ou <code>/contatos nome</code> para buscar."
)


def email_invalido(texto: str) -> str:
    """An e-mail address that does not parse."""
    return f"E-mail inválido: <b>{escape(texto[:80])}</b>. Exemplo: <i>ana@empresa.com.br</i>."


def telefone_invalido(texto: str) -> str:
    """A phone number that does not parse."""
    return (
        f"Telefone inválido: <b>{escape(texto[:40])}</b>. Exemplos: <i>(11) 98765-4321</i> "
        "ou <i>+351 912 345 678</i>."
    )


def linha_contato(contato: Contato) -> str:
    """One line of /contatos."""
    empresa = f" — {escape(contato.empresa)}" if contato.empresa else ""
    return f"📇 <b>{escape(contato.nome)}</b>{empresa}"


def lista_contatos(contatos: list[Contato], *, titulo: str) -> str:
    """A list of contacts; the buttons below open each card."""
    if not contatos:
        return NENHUM_CONTATO
    return f"<b>{escape(titulo)}</b>\n\n" + "\n".join(linha_contato(c) for c in contatos)


def cartao_contato(
    contato: Contato, processos: list[Processo], *, zona: str, agora: datetime
) -> str:
    """A contact's card with their processos."""
    linhas = [f"📇 <b>{escape(contato.nome)}</b>"]
    if contato.arquivado_em is not None:
        linhas.append(CONTATO_ARQUIVADO_MARCA)
    if contato.empresa:
        linhas.append(f"Empresa: {escape(contato.empresa)}")
    if contato.email:
        linhas.append(f"E-mail: {escape(contato.email)}")
    if contato.telefone:
        linhas.append(f"Telefone: {escape(contato.telefone)}")
    if contato.notas:
        linhas += ["", escape(contato.notas)]
    linhas += ["", "<b>Processos</b>"]
    if processos:
        linhas += [linha_processo(p, zona=zona, agora=agora) for p in processos]
    else:
        linhas.append("nenhum processo visível para você")
    return "\n".join(linhas)


CAMPO_CONTATO = {
    "nome": "Nome",
    "empresa": "Empresa",
    "email": "E-mail",
    "telefone": "Telefone",
    "notas": "Observações",
}


NOVO_VALOR_CONTATO = {
    "nome": "Envie o novo <b>nome</b>",
    "empresa": "Envie a nova <b>empresa</b>",
    "email": "Envie o novo <b>e-mail</b>",
    "telefone": "Envie o novo <b>telefone</b>",
    "notas": "Envie as novas <b>observações</b>",
}


def pergunta_campo_contato(campo: str) -> str:
    """Ask for a new value of one field of a contact."""
    apagar = "" if campo == "nome" else ", ou <i>apagar</i> para deixar em branco"
    return f"{NOVO_VALOR_CONTATO[campo]}{apagar} (ou /cancelar)."


def contato_homonimo(contato: Contato) -> str:
    """A new contact with the name of an existing one."""
    empresa = f" ({escape(contato.empresa)})" if contato.empresa else ""
    return (
        f"⚠️ Já existe um contato chamado <b>{escape(contato.nome)}</b>{empresa}. Se for a mesma "
        "pessoa, use /cancelar e veja o cartão em /contatos; senão, siga em frente."
    )


def email_duplicado(contato: Contato) -> str:
    """An address that another contact already has."""
    empresa = f" ({escape(contato.empresa)})" if contato.empresa else ""
    return (
        f"Esse e-mail já é do contato <b>{escape(contato.nome)}</b>{empresa}. "
        "Envie outro e-mail, ou veja o existente em /contatos."
    )


def contato_criado(contato: Contato) -> str:
    """Confirmation of /contato novo."""
    return f"✅ Contato criado: <b>{escape(contato.nome)}</b>. Vincule-o a um processo pelo botão 📇 Contato."


BUSCA_CONTATOS_VAZIA = "Diga o nome, a empresa ou o e-mail. Exemplo: <code>/contatos Ana</code>."


CONTATO_ARQUIVADO_MARCA = "🗄 <i>Arquivado: fora de /contatos, das buscas e do /novo.</i>"
CONTATO_ARQUIVADO = "🗄 Contato arquivado. Os processos dele continuam ligados a ele."
CONTATO_DESARQUIVADO = "♻️ Contato de volta a /contatos."
CONTATO_REMOCAO_NEGADA = "Só quem criou o contato, gestores e administradores podem removê-lo."
BOTAO_ARQUIVAR = "🗄 Arquivar"
BOTAO_DESARQUIVAR = "♻️ Desarquivar"
BOTAO_REMOVER_CONTATO = "🗑 Remover"
BOTAO_CONFIRMAR_REMOCAO = "🗑 Sim, remover"


def confirmar_remocao_contato(nome: str) -> str:
    """Asked before a contact is deleted for good."""
    return f"Remover <b>{escape(nome)}</b> de vez? Isso não pode ser desfeito."


def contato_removido(nome: str) -> str:
    """After a contact was deleted."""
    return f"🗑 Contato <b>{escape(nome)}</b> removido."


def contato_em_uso(processos: int) -> str:
    """A contact some processos name cannot be deleted."""
    quantos = "1 processo" if processos == 1 else f"{processos} processos"
    return (
        f"Esse contato está em {quantos}, então não pode ser removido. Use 🗄 Arquivar: ele sai "
        "das listas e das buscas, e os processos continuam ligados a ele."
    )
