"""Guided forms: drafts kept across detours, skipping, answers to a question gone by."""

from __future__ import annotations

from bot.render import escape, shorten

__all__ = [
    "BOTAO_PULAR",
    "CONTINUAR_RASCUNHO",
    "DESCARTAR_RASCUNHO",
    "FORMULARIO_JA_ENVIADO",
    "FORMULARIO_TERMINADO",
    "PERGUNTA_JA_RESPONDIDA",
    "VINCULAR_O_NOVO",
    "rascunho_pendente",
    "retomando",
]

VINCULAR_O_NOVO = "Vincular o contato que você acabou de criar? (Ou envie outro nome.)"
CONTINUAR_RASCUNHO = "▶️ Continuar o rascunho"
DESCARTAR_RASCUNHO = "🗑 Descartar e começar outro"


def _rascunho(nome: str, dados: dict[str, object]) -> str:
    """`processo em rascunho <b>Título</b>` / `contato em rascunho <b>Nome</b>`."""
    rotulo = dados.get("titulo") if nome == "novo" else dados.get("nome")
    sobre = f" <b>{escape(shorten(str(rotulo), 60))}</b>" if rotulo else ""
    return f"{'processo' if nome == 'novo' else 'contato'} em rascunho{sobre}"


def rascunho_pendente(nome: str, dados: dict[str, object]) -> str:
    """Asked when a form is started again over its own half-filled draft."""
    return f"Você tem um {_rascunho(nome, dados)}. Continuar ou começar outro?"


def retomando(nome: str, dados: dict[str, object]) -> str:
    """Before asking again the question of a draft that was set aside."""
    return f"↩️ Voltando ao {_rascunho(nome, dados)} (ou /cancelar para descartá-lo)."


PERGUNTA_JA_RESPONDIDA = "Esse botão é de uma pergunta que já passou; responda à pergunta atual."
FORMULARIO_JA_ENVIADO = "Esse formulário já foi enviado; não criei nada de novo."
FORMULARIO_TERMINADO = "Esse formulário já terminou; comece outro com /novo ou /contato novo."
BOTAO_PULAR = "⏭ Pular"
