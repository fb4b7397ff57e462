"""/start, /ajuda, /cancelar and what Cogep says when it does not understand."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render import escape

__all__ = [
    "AJUDA_ACESSO",
    "AJUDA_AJUDA",
    "AJUDA_AUTORIZAR",
    "AJUDA_AVISO",
    "AJUDA_BUSCAR",
    "AJUDA_CANCELAR",
    "AJUDA_CONHECIMENTO",
    "AJUDA_CONTATO",
    "AJUDA_CONTATOS",
    "AJUDA_DOCUMENTOS",
    "AJUDA_INGERIR",
    "AJUDA_LEMBRAR",
    "AJUDA_LEMBRETES",
    "AJUDA_NOTIFICACOES",
    "AJUDA_NOVA_CONVERSA",
    "AJUDA_NOVO",
    "AJUDA_PAPEL",
    "AJUDA_PERFIL",
    "AJUDA_PERSONA",
    "AJUDA_PROCESSO",
    "AJUDA_PROCESSOS",
    "AJUDA_START",
    "AJUDA_USO",
    "AJUDA_USUARIOS",
    "CANCELADO",
    "COMANDO_DESCONHECIDO",
    "NADA_A_CANCELAR",
    "NAO_SUPORTADO",
    "PRECISA_CADASTRO",
    "USO_ACESSO",
    "USO_AVISO",
    "USO_PAPEL",
    "ajuda",
    "boas_vindas",
    "ja_cadastrado",
]

# -- each command's line in /ajuda (and, for everyone's, its setMyCommands description); the
# -- command itself is declared in its feature's handlers module (handlers.rotas.Comando) -----
AJUDA_START = "Cadastrar-se no Cogep"
AJUDA_AJUDA = "O que o Cogep sabe fazer"
AJUDA_PERFIL = "Ver e editar seu nome e fuso horário"
AJUDA_NOVO = "Abrir um processo"
AJUDA_PROCESSOS = "Listar seus processos"
AJUDA_PROCESSO = "Ver um processo: /processo 2026-0042"
AJUDA_BUSCAR = "Buscar processos: /buscar texto"
AJUDA_CONTATOS = "Contatos de clientes (CRM)"
AJUDA_CONTATO = "Criar contato: /contato novo"
AJUDA_DOCUMENTOS = "Documentos da base de conhecimento"
AJUDA_INGERIR = "Adicionar um link à base: /ingerir https://…"
AJUDA_CONHECIMENTO = "Buscar nos documentos: /conhecimento texto"
AJUDA_LEMBRAR = "Criar lembrete: /lembrar amanhã 9h revisar o PR"
AJUDA_LEMBRETES = "Ver, adiar e cancelar seus lembretes"
AJUDA_NOTIFICACOES = "Escolher quais notificações receber e quando"
AJUDA_NOVA_CONVERSA = "Recomeçar a conversa com o professor"
AJUDA_USO = "Seu consumo do professor (tokens e custo)"
AJUDA_CANCELAR = "Cancelar a operação em andamento"
# gestores:
AJUDA_AUTORIZAR = "Enviado num grupo, faz o Cogep atender o grupo (/desautorizar desfaz)"
# admins (USO_*: what follows the command's name in its line):
AJUDA_USUARIOS = "Listar os usuários"
AJUDA_PAPEL = "Mudar o papel de alguém"
USO_PAPEL = "nome|@usuario gestor"
AJUDA_ACESSO = "Liberar ou revogar o acesso de alguém"
USO_ACESSO = "nome|@usuario liberar|revogar"
AJUDA_PERSONA = "Ver a persona do professor (e o modelo em uso)"
AJUDA_AVISO = "Enviar um aviso a todos (com prévia e confirmação)"
USO_AVISO = "texto"


def boas_vindas(nome: str, *, papel: str) -> str:
    """Greeting after the first /start."""
    extra = "\nVocê é <b>administrador</b>." if papel == "admin" else ""
    return (
        f"Olá, <b>{escape(nome)}</b>! Boas-vindas ao <b>Cogep</b>.{extra}\n\n"
        "Aqui você abre e acompanha processos, consulta contatos de clientes e "
        "conversa com o Prof. Anatoly Petrovich, o mentor da equipe: é só escrever.\n\n"
        "Comece com /novo para abrir um processo ou /ajuda para ver tudo o que dá para fazer."
    )


def ja_cadastrado(nome: str) -> str:
    """Reply to a second /start."""
    return (
        f"Olá de novo, <b>{escape(nome)}</b>! Seu cadastro já existe; nada mudou.\n"
        "Use /ajuda para ver os comandos ou /perfil para ajustar seus dados."
    )


def ajuda(
    *,
    papel: str,
    todos: Sequence[tuple[str, str]],
    gestor: Sequence[tuple[str, str]],
    admin: Sequence[tuple[str, str]],
) -> str:
    """The /ajuda text: (command with its arguments, description) per section, the gestores'
    and the admins' sections only for them."""
    texto = "<b>Comandos do Cogep</b>\n\n" + _linhas(todos)
    texto += (
        "\n\n<b>Dicas</b>\n"
        "• Abrir em uma linha: <code>/novo Migrar servidor | prazo sexta 18h | "
        "prioridade alta</code>\n"
        "• Prazos em português: <i>amanhã 9h</i>, <i>em 3 dias</i>, <i>30/11 14:00</i>\n"
        "• Número curto também vale: <code>/processo 42</code>\n"
        "• Qualquer mensagem sem / vai para o Prof. Anatoly Petrovich, o mentor "
        "(num grupo, mencione o bot ou responda a ele)"
    )
    if papel in ("gestor", "admin"):
        texto += "\n\nComo gestor, você vê e atribui todos os processos.\n" + _linhas(gestor)
    if papel == "admin":
        texto += "\n\n<b>Administração</b>\n" + _linhas(admin)
    return texto


def _linhas(comandos: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"/{escape(comando)} — {escape(desc)}" for comando, desc in comandos)


PRECISA_CADASTRO = "Ainda não conheço você por aqui. Envie /start para começar."
CANCELADO = "Operação cancelada."
NADA_A_CANCELAR = "Não há nada em andamento para cancelar."
COMANDO_DESCONHECIDO = "Não conheço esse comando. Veja a lista em /ajuda."
NAO_SUPORTADO = "Ainda não sei o que fazer com esse tipo de mensagem. Veja /ajuda."
