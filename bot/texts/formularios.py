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


def rascunho_pendente(nome: str, dados: dict[str, object]) -> str:
    """Asked when a form is started again over its own half-filled draft."""
    if nome == "novo":
        titulo = dados.get("titulo")
        sobre = f" <b>{escape(shorten(str(titulo), 60))}</b>" if titulo else ""
        return f"Você tem um processo em rascunho{sobre}. Continuar ou começar outro?"
    contato = dados.get("nome")
    sobre = f" <b>{escape(shorten(str(contato), 60))}</b>" if contato else ""
    return f"Você tem um contato em rascunho{sobre}. Continuar ou começar outro?"


def retomando(nome: str, dados: dict[str, object]) -> str:
    """Before asking again the question of a draft that was set aside."""
    if nome == "novo":
        titulo = dados.get("titulo")
        sobre = f" <b>{escape(shorten(str(titulo), 60))}</b>" if titulo else ""
        return f"↩️ Voltando ao processo em rascunho{sobre} (ou /cancelar para descartá-lo)."
    contato = dados.get("nome")
    sobre = f" <b>{escape(shorten(str(contato), 60))}</b>" if contato else ""
    return f"↩️ Voltando ao contato em rascunho{sobre} (ou /cancelar para descartá-lo)."


PERGUNTA_JA_RESPONDIDA = "Esse botão é de uma pergunta que já passou; responda à pergunta atual."
FORMULARIO_JA_ENVIADO = "Esse formulário já foi enviado; não criei nada de novo."

FORMULARIO_TERMINADO = "Esse formulário já terminou; comece outro com /novo ou /contato novo."
BOTAO_PULAR = "⏭ Pular"
