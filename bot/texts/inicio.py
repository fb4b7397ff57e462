"""/start, /ajuda, /cancelar and what Cogep says when it does not understand."""

from __future__ import annotations

from bot.render import escape

__all__ = [
    "CANCELADO",
    "COMANDO_DESCONHECIDO",
    "COMMANDS",
    "NADA_A_CANCELAR",
    "NAO_SUPORTADO",
    "PRECISA_CADASTRO",
    "ajuda",
    "boas_vindas",
    "ja_cadastrado",
]

# -- commands (name, description) in the order of /ajuda; registered with setMyCommands -------
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Cadastrar-se no Cogep"),
    ("ajuda", "O que o Cogep sabe fazer"),
    ("perfil", "Ver e editar seu nome e fuso horário"),
    ("novo", "Abrir um processo"),
    ("processos", "Listar seus processos"),
    ("processo", "Ver um processo: /processo 2026-0042"),
    ("buscar", "Buscar processos: /buscar texto"),
    ("contatos", "Contatos de clientes (CRM)"),
    ("contato", "Criar contato: /contato novo"),
    ("documentos", "Documentos da base de conhecimento"),
    ("ingerir", "Adicionar um link à base: /ingerir https://…"),
    ("conhecimento", "Buscar nos documentos: /conhecimento texto"),
    ("lembrar", "Criar lembrete: /lembrar amanhã 9h revisar o PR"),
    ("lembretes", "Ver, adiar e cancelar seus lembretes"),
    ("notificacoes", "Escolher quais notificações receber e quando"),
    ("nova_conversa", "Recomeçar a conversa com o professor"),
    ("uso", "Seu consumo do professor (tokens e custo)"),
    ("cancelar", "Cancelar a operação em andamento"),
)


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


def ajuda(*, papel: str) -> str:
    """The /ajuda text, with the admin commands for admins."""
    linhas = [f"/{nome} — {escape(desc)}" for nome, desc in COMMANDS]
    texto = "<b>Comandos do Cogep</b>\n\n" + "\n".join(linhas)
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
        texto += (
            "\n\nComo gestor, você vê e atribui todos os processos.\n"
            "/autorizar — Enviado num grupo, faz o Cogep atender o grupo (/desautorizar desfaz)"
        )
    if papel == "admin":
        texto += (
            "\n\n<b>Administração</b>\n/usuarios — Listar os usuários\n"
            "/papel @usuario gestor — Mudar o papel de alguém\n"
            "/acesso @usuario liberar|revogar — Liberar ou revogar o acesso de alguém\n"
            "/persona — Ver a persona do professor (e o modelo em uso)\n"
            "/aviso texto — Enviar um aviso a todos (com prévia e confirmação)"
        )
    return texto


PRECISA_CADASTRO = "Ainda não conheço você por aqui. Envie /start para começar."
CANCELADO = "Operação cancelada."
NADA_A_CANCELAR = "Não há nada em andamento para cancelar."
COMANDO_DESCONHECIDO = "Não conheço esse comando. Veja a lista em /ajuda."
NAO_SUPORTADO = "Ainda não sei o que fazer com esse tipo de mensagem. Veja /ajuda."
