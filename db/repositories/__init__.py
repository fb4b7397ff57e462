"""Repositories: keyword-only query functions on a session; they never commit.

Each domain has its module (`usuarios`, `processos`, `contatos`, `conhecimento`, `vetores`,
`notificacoes`, `mentor`, `entrada`, `fluxos`, `grupos`, `travas`), `quadro` for the board's
columns, `relatorios` for /relatorio, `replicas` for what replicas share (the mentor's queue),
`metricas` for what /metrics reads; `usuarios` also holds who
is who (each role rule beside its SQL twin). `offset_seguro` keeps a page's offset inside
bigint whatever page number reaches it (a forged button, a model's tool call).
"""

from typing import Final

MAX_OFFSET: Final = 2**40  # far past any table; beyond bigint the query would not even run


def offset_seguro(offset: int) -> int:
    """`offset` clamped to 0..MAX_OFFSET."""
    return min(max(int(offset), 0), MAX_OFFSET)
