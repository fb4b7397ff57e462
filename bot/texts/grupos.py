"""Group chats: authorising a group, and what an unauthorised group is told."""

from __future__ import annotations

__all__ = [
    "AUTORIZAR_SO_EM_GRUPO",
    "GRUPO_AUTORIZADO",
    "GRUPO_BEM_VINDO",
    "GRUPO_DESAUTORIZADO",
    "GRUPO_NAO_AUTORIZADO",
    "GRUPO_PEDE_AUTORIZACAO",
    "GRUPO_SO_GESTORES",
]

_COMO_FALAR_NO_GRUPO = (
    "Comandos como /processos e /novo funcionam aqui; para falar comigo, me mencione ou responda "
    "a uma mensagem minha. Atenção: o que eu mostrar aqui, todos do grupo veem."
)
GRUPO_AUTORIZADO = f"✅ Grupo autorizado. {_COMO_FALAR_NO_GRUPO}"
GRUPO_BEM_VINDO = f"Olá! Sou o <b>Cogep</b>. {_COMO_FALAR_NO_GRUPO}"
GRUPO_PEDE_AUTORIZACAO = (
    "Olá! Sou o <b>Cogep</b>. Antes de atender este grupo, preciso que um gestor ou "
    "administrador do Cogep envie /autorizar aqui."
)
GRUPO_NAO_AUTORIZADO = (
    "Este grupo ainda não foi autorizado a usar o Cogep. Um gestor ou administrador pode "
    "autorizá-lo enviando /autorizar aqui."
)
GRUPO_DESAUTORIZADO = (
    "Pronto: deixo de atender este grupo. Um gestor pode reativá-lo com /autorizar."
)
GRUPO_SO_GESTORES = "Só gestores e administradores podem autorizar grupos."
AUTORIZAR_SO_EM_GRUPO = (
    "Envie /autorizar (ou /desautorizar) dentro do grupo que o Cogep deve atender (ou deixar)."
)
