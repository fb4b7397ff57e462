"""The board (Mini App): its button, menu entry and the API's refusals."""

from __future__ import annotations

__all__ = [
    "BOTAO_QUADRO",
    "MENU_QUADRO",
    "QUADRO_BUSCA_VAZIA",
    "QUADRO_CONFIRMAR_CANCELAMENTO",
    "QUADRO_PEDIDO_INVALIDO",
    "QUADRO_SESSAO_INVALIDA",
    "SO_GESTOR_FILTRA",
]

MENU_QUADRO = "Quadro"
BOTAO_QUADRO = "🗂 Quadro"
QUADRO_SESSAO_INVALIDA = (
    "Não consegui confirmar quem você é. Feche o quadro e abra de novo pelo botão do Cogep no "
    "Telegram."
)
QUADRO_PEDIDO_INVALIDO = "Pedido inválido: atualize o quadro e tente de novo."
QUADRO_CONFIRMAR_CANCELAMENTO = (
    "Cancelar é definitivo: um processo cancelado não volta. Confirme o cancelamento."
)
SO_GESTOR_FILTRA = "Só gestores e administradores filtram por responsável."
QUADRO_BUSCA_VAZIA = "Escreva o que procurar nos documentos."
