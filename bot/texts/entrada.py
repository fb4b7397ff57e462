"""What people (and the operator) read about the inbox: hygiene refusals, unconfirmed writes,
replayed updates and start-up faults."""

from __future__ import annotations

from bot.render import escape

__all__ = [
    "EM_ESPERA",
    "ENXURRADA_PLAIN",
    "JA_FEITO",
    "NAO_CONFIRMADO",
    "NOME_INVISIVEL",
    "TITULO_INVISIVEL",
    "gravado_sem_confirmacao",
    "ja_feito",
    "telegram_inacessivel",
    "token_recusado",
]

TITULO_INVISIVEL = (
    "Esse título só tem caracteres invisíveis. Escreva um título com letras ou números. "
    "Exemplo: <i>Migrar servidor de e-mail</i>."
)
NOME_INVISIVEL = "Esse nome só tem caracteres invisíveis. Escreva um nome com letras."
ENXURRADA_PLAIN = (
    "🙏 Calma, por favor: chegaram muitas mensagens suas em poucos segundos e deixei de lado "
    "as que vieram a mais. Espere um instante e mande de novo só o que ainda precisar."
)
NAO_CONFIRMADO = (
    "⚠️ O banco de dados caiu bem na hora de gravar e não consegui confirmar se a alteração "
    "foi feita. Veja em /processos antes de repetir."
)
EM_ESPERA = (
    "⏳ O banco de dados está indisponível no momento. Sua mensagem ficou na fila e será "
    "atendida assim que ele voltar; não precisa repetir."
)
JA_FEITO = "✅ Isso já tinha sido feito antes (o Cogep reiniciou no meio)."


def ja_feito(referencia: str | None) -> str:
    """A replayed update whose change had already been committed before a restart."""
    if not referencia:
        return JA_FEITO
    return f"✅ Isso já tinha sido feito antes (o Cogep reiniciou no meio): {escape(referencia)}."


def gravado_sem_confirmacao(referencia: str | None) -> str:
    """The COMMIT's answer was lost, but the inbox shows the change was committed."""
    feito = f": {escape(referencia)}" if referencia else ""
    return (
        f"✅ Feito{feito}. (A conexão com o banco caiu logo depois de gravar; "
        "confirmei que ficou salvo.)"
    )


# -- start-up, one line on stderr -------------------------------------------------------------
def token_recusado() -> str:
    """401 from getMe: the token itself is never repeated."""
    return (
        "O Telegram recusou o token (401 Unauthorized). Confira TELEGRAM_BOT_TOKEN "
        "(copie-o de novo do @BotFather)."
    )


def telegram_inacessivel(endereco: str, paciencia: float, motivo: str) -> str:
    """The Bot API did not answer (network or 5xx) for the whole start-up patience."""
    return (
        f"Não consegui falar com a Bot API do Telegram em {endereco} após {paciencia:.0f}s "
        f"({motivo}). Verifique a rede e TELEGRAM_API_BASE_URL."
    )
