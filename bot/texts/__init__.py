"""Every sentence a user reads, in pt-BR, in one place.

Constants are Telegram-HTML (parse_mode=HTML) unless named *_PLAIN. Functions build the messages
that carry data; they escape every user-provided value with `render.escape`, so a `<` in a name
can never break a message.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.dates import format_when
from bot.fusos import descrever as descrever_fuso
from bot.render import escape, shorten

if TYPE_CHECKING:
    from db.models import Contato, Processo, ProcessoEvento, Usuario

# -- commands (name, description) in the order of /ajuda; registered with setMyCommands -------
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Cadastrar-se no Cogep"),
    ("ajuda", "O que o Cogep sabe fazer"),
    ("perfil", "Ver e editar seu perfil e notificações"),
    ("novo", "Abrir um processo"),
    ("processos", "Listar seus processos"),
    ("processo", "Ver um processo: /processo 2026-0042"),
    ("buscar", "Buscar processos: /buscar texto"),
    ("contatos", "Contatos de clientes (CRM)"),
    ("contato", "Criar contato: /contato novo"),
    ("cancelar", "Cancelar a operação em andamento"),
)


def boas_vindas(nome: str, *, papel: str) -> str:
    """Greeting after the first /start."""
    extra = "\nVocê é <b>administrador</b>." if papel == "admin" else ""
    return (
        f"Olá, <b>{escape(nome)}</b>! Boas-vindas ao <b>Cogep</b>.{extra}\n\n"
        "Aqui você abre e acompanha processos, consulta contatos de clientes e, em breve, "
        "conversa com o Prof. Anatoly Petrovich.\n\n"
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
        "• Número curto também vale: <code>/processo 42</code>"
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
            "/acesso @usuario liberar|revogar — Liberar ou revogar o acesso de alguém"
        )
    return texto


PRECISA_CADASTRO = "Ainda não conheço você por aqui. Envie /start para começar."

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
CANCELADO = "Operação cancelada."


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


NADA_A_CANCELAR = "Não há nada em andamento para cancelar."
COMANDO_DESCONHECIDO = "Não conheço esse comando. Veja a lista em /ajuda."
TEXTO_LIVRE = (
    "Recebi sua mensagem. O mentor Prof. Anatoly Petrovich ainda não está disponível aqui; "
    "por enquanto use /novo, /processos ou /ajuda."
)
NAO_SUPORTADO = "Ainda não sei o que fazer com esse tipo de mensagem. Veja /ajuda."
ERRO_INTERNO = (
    "Desculpe, algo deu errado do meu lado e sua última ação pode não ter sido concluída. "
    "Já registrei o problema; tente de novo em instantes."
)
BANCO_INDISPONIVEL = (
    "O banco de dados está indisponível no momento. Nada foi alterado; tente de novo em "
    "alguns instantes."
)
BOTAO_EXPIRADO = "Esse botão não vale mais. Mostrei o estado atual."
PERGUNTA_JA_RESPONDIDA = "Esse botão é de uma pergunta que já passou; responda à pergunta atual."
FORMULARIO_JA_ENVIADO = "Esse formulário já foi enviado; não criei nada de novo."

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
BOTAO_NOTIFICACOES_ON = "🔔 Notificações: ligadas"
BOTAO_NOTIFICACOES_OFF = "🔕 Notificações: desligadas"
BOTAO_RESUMO = "🕗 Resumo diário: {hora:02d}:00"

PAPEL_NOME = {"membro": "membro", "gestor": "gestor", "admin": "administrador"}

# -- admin ---------------------------------------------------------------------------------------
SO_ADMIN = "Só administradores podem fazer isso."
PAPEL_USO = (
    "Use <code>/papel @usuario gestor</code> (ou o id do Telegram); papéis: "
    "<b>membro</b>, <b>gestor</b>, <b>admin</b>."
)
NAO_REBAIXE_A_SI = "Você não pode tirar o seu próprio papel de administrador."


def papel_definido(nome: str, papel: str, *, mudou: bool) -> str:
    """Confirmation of /papel."""
    if not mudou:
        return f"<b>{escape(nome)}</b> já tem o papel de {PAPEL_NOME[papel]}; nada mudou."
    return f"<b>{escape(nome)}</b> agora tem o papel de {PAPEL_NOME[papel]}."


def papel_desconhecido(papel: str) -> str:
    """/papel with a role Cogep does not have."""
    return (
        f"Não conheço o papel <b>{escape(shorten(papel, 30))}</b>. Papéis: <b>membro</b>, "
        "<b>gestor</b> e <b>administrador</b> (ou <i>admin</i>)."
    )


ACESSO_ICONE = {"pendente": "⏳", "recusado": "🚫"}


def lista_usuarios(usuarios: list[Usuario]) -> str:
    """The /usuarios list: who, papel, and whether they got in and still accept messages."""
    linhas = [
        f"{ACESSO_ICONE.get(u.acesso, '👤' if u.ativo else '💤')} <b>{escape(u.nome)}</b>"
        + (f" @{escape(u.username)}" if u.username else "")
        + f" · <code>{u.telegram_id}</code> · {PAPEL_NOME[u.papel]}"
        for u in usuarios
    ]
    legenda = "💤 bloqueou o bot · ⏳ aguarda liberação · 🚫 sem acesso"
    return f"<b>Usuários ({len(linhas)})</b>\n\n" + "\n".join(linhas) + f"\n\n{legenda}"


# -- access (newcomers wait for an admin when ADMIN_TELEGRAM_IDS is set) --------------------------
AGUARDANDO_LIBERACAO = (
    "Seu cadastro aguarda a liberação de um administrador. Aviso você aqui assim que isso "
    "acontecer."
)
CADASTRO_RECUSADO = (
    "Seu cadastro no Cogep foi recusado por um administrador. Se acha que é um engano, fale com "
    "a sua equipe."
)
ACESSO_RECUSADO = (
    "Seu acesso ao Cogep não está liberado. Se acha que é um engano, fale com um administrador "
    "da equipe."
)
ACESSO_LIBERADO_AVISO = "✅ Seu acesso ao Cogep foi liberado! Veja o que dá para fazer em /ajuda."
ACESSO_REVOGADO = (
    "Seu acesso ao Cogep foi revogado por um administrador. Se acha que é um engano, fale com "
    "a sua equipe."
)
BOTAO_LIBERAR = "✅ Liberar"
BOTAO_RECUSAR = "🚫 Recusar"
ACESSO_USO = (
    "Use <code>/acesso @usuario liberar</code> ou <code>/acesso @usuario revogar</code> "
    "(ou o id do Telegram)."
)
NAO_REVOGUE_A_SI = "Você não pode revogar o seu próprio acesso."


def cadastro_recebido(nome: str) -> str:
    """The first /start of someone who must wait for an admin."""
    return (
        f"Olá, <b>{escape(nome)}</b>! Recebi seu cadastro no <b>Cogep</b>. Um administrador "
        "precisa liberar seu acesso; aviso você aqui assim que isso acontecer."
    )


def pedido_de_acesso(usuario: Usuario) -> str:
    """The notice admins get about a newcomer."""
    arroba = f" @{escape(usuario.username)}" if usuario.username else ""
    return (
        f"🔔 <b>Novo cadastro</b>: {escape(usuario.nome)}{arroba} · id "
        f"<code>{usuario.telegram_id}</code>\nLiberar o acesso ao Cogep?"
    )


def pendentes(quantos: int) -> str:
    """Under /usuarios, above the buttons for newcomers."""
    return f"\n\n<b>{quantos} aguardando liberação</b> — use os botões abaixo."


def acesso_decidido(nome: str, *, acesso: str, antes: str, por: str) -> str:
    """What became of someone's access, for the admins."""
    quem = f"<b>{escape(nome)}</b>"
    if acesso == antes:
        estado = "com acesso liberado" if acesso == "liberado" else "sem acesso"
        return f"{quem} já estava {estado}; nada mudou."
    if acesso == "liberado":
        return f"✅ Acesso de {quem} liberado por {escape(por)}."
    verbo = "revogado" if antes == "liberado" else "recusado"
    return f"🚫 Acesso de {quem} {verbo} por {escape(por)}."


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
        f"Resumo diário: {hora_resumo:02d}:00 (os resumos começam a chegar em breve)\n\n"
        "Toque num botão para alterar."
    )


PERGUNTA_HORA_RESUMO = "A que horas você quer receber o resumo diário?"

# -- processos ---------------------------------------------------------------------------------
STATUS_NOME = {
    "aberto": "aberto",
    "em_andamento": "em andamento",
    "aguardando": "aguardando",
    "concluido": "concluído",
    "cancelado": "cancelado",
}
STATUS_ICONE = {
    "aberto": "🆕",
    "em_andamento": "🔧",
    "aguardando": "⏳",
    "concluido": "✅",
    "cancelado": "🚫",
}
STATUS_ACAO = {
    "em_andamento": "🔧 Iniciar",
    "aguardando": "⏳ Aguardar",
    "concluido": "✅ Concluir",
    "cancelado": "🚫 Cancelar",
}
REABRIR = "↩️ Reabrir"
CONFIRMAR_CANCELAMENTO = "🚫 Sim, cancelar"
DESISTIR_CANCELAMENTO = "↩️ Não, voltar"
PERGUNTA_CANCELAMENTO = "Cancelar é definitivo: um processo cancelado não volta. Confirme abaixo."
RETOMAR = "🔧 Retomar"
PRIORIDADE_ICONE = {"baixa": "▫️", "normal": "🔹", "alta": "🔸", "urgente": "🔴"}
FILTRO_NOME = {
    "abertos": "abertos",
    "atrasados": "atrasados",
    "concluidos": "concluídos",
    "todos": "todos",
}

TITULO_VAZIO = "O título não pode ficar vazio. Exemplo: <i>Migrar servidor de e-mail</i>."
PRIORIDADE_INVALIDA = (
    "Prioridade inválida. Use <b>baixa</b>, <b>normal</b>, <b>alta</b> ou <b>urgente</b>."
)
PROCESSO_NAO_ENCONTRADO = "Processo não encontrado."
QUAL_PROCESSO = "Qual processo? Envie o número, por exemplo <code>/processo 42</code>."
PROCESSO_CANCELADO = "Este processo foi cancelado: não muda mais (comentários ainda valem)."
NUMERO_INVALIDO = (
    "Número inválido. Exemplos: <code>/processo 2026-0042</code> ou <code>/processo 42</code>."
)
BUSCA_VAZIA = "Diga o que buscar. Exemplo: <code>/buscar servidor de e-mail</code>."
SO_GESTOR_ATRIBUI = "Só gestores e administradores podem atribuir responsáveis."
SO_SOLICITANTE_CANCELA = "Só quem abriu o processo, ou um gestor, pode cancelá-lo."
USUARIO_NAO_ENCONTRADO = "Usuário não encontrado ou inativo."
COMENTARIO_VAZIO = "O comentário não pode ficar vazio."
FORMULARIO_TERMINADO = "Esse formulário já terminou; comece outro com /novo ou /contato novo."
EXEMPLOS_PRAZO = "<i>amanhã 9h</i>, <i>em 3 dias</i>, <i>sexta 18h</i>, <i>30/11 14:00</i>"
PULAR = "⏭ Pular"
TITULO_FILTRO = {
    "abertos": "Processos abertos",
    "atrasados": "Processos atrasados",
    "concluidos": "Processos concluídos",
    "todos": "Todos os processos",
}
LISTA_VAZIA = {
    "abertos": "Nenhum processo aberto por aqui. Abra um com /novo.",
    "atrasados": "Nenhum processo atrasado. 🎉",
    "concluidos": "Nenhum processo concluído ainda.",
    "todos": "Nenhum processo por aqui. Abra um com /novo.",
}
NADA_ENCONTRADO = "Nada encontrado para <b>{busca}</b>."

NOVO_TITULO = "Vamos abrir um processo. Qual o <b>título</b>? (/cancelar para desistir)"
NOVO_DESCRICAO = "Descreva o processo (ou toque em Pular)."
NOVO_PRAZO = f"Qual o <b>prazo</b>? Ex.: {EXEMPLOS_PRAZO} (ou Pular)."
NOVO_PRIORIDADE = "Qual a <b>prioridade</b>?"
NOVO_CONTATO = "Algum <b>contato</b> do cliente? Envie o nome para buscar (ou Pular)."
PERGUNTA_COMENTARIO = "Escreva o comentário (ou /cancelar)."
PERGUNTA_PRAZO = f"Qual o novo prazo? Ex.: {EXEMPLOS_PRAZO}, ou <i>sem prazo</i>. (/cancelar)"
PERGUNTA_CONTATO = (
    "Envie o nome do contato para vincular, ou <i>remover</i> para desvincular (ou /cancelar)."
)


def pergunta_titulo(processo: Processo) -> str:
    """Ask for a new title, showing the current one (tap to copy)."""
    return (
        f"Título atual: <code>{escape(processo.titulo)}</code>\nEnvie o novo título (ou /cancelar)."
    )


def pergunta_descricao(processo: Processo) -> str:
    """Ask for a new description, showing the current one (tap to copy)."""
    atual = (
        f"Descrição atual:\n<code>{escape(processo.descricao)}</code>\n"
        if processo.descricao
        else "Ainda sem descrição.\n"
    )
    return (
        f"{atual}Envie a nova descrição, ou <i>apagar</i> para deixá-la em branco (ou /cancelar)."
    )


ESCOLHA_RESPONSAVEL = "Quem será o responsável?"
ESCOLHA_CONTATO = "Qual destes contatos?"
BOTAO_COMENTAR = "💬 Comentar"
BOTAO_PRAZO = "📅 Prazo"
BOTAO_ATRIBUIR = "👤 Atribuir"
BOTAO_CONTATO = "📇 Contato"
SEM_RESPONSAVEL = "🚫 Ninguém (sem responsável)"
NINGUEM = "ninguém ainda"
BOTAO_EDITAR = "✏️ Editar"
BOTAO_TITULO = "✏️ Título"
BOTAO_DESCRICAO = "📝 Descrição"
BOTAO_VOLTAR = "↩️ Voltar"
BOTAO_ATUALIZAR = "🔄 Atualizar"
BOTAO_HISTORICO = "📜 Histórico"
BOTAO_ANTERIOR = "◀"
BOTAO_PROXIMA = "▶"
BOTAO_POR_RESPONSAVEL = "👤 Por responsável"
BOTAO_TODOS_RESPONSAVEIS = "✖ Todos os responsáveis"
ESCOLHA_FILTRO_RESPONSAVEL = "Ver os processos de quem?"


def titulo_longo(tamanho: int, maximo: int) -> str:
    """A title over the limit."""
    return f"Título longo demais: {tamanho} caracteres (máximo {maximo}). Resuma e envie de novo."


def texto_longo(tamanho: int, maximo: int) -> str:
    """A text field over the limit."""
    return f"Texto longo demais: {tamanho} caracteres (máximo {maximo})."


def prazo_invalido(texto: str) -> str:
    """A deadline the parser did not understand."""
    return f"Não entendi o prazo <b>{escape(texto[:60])}</b>. Exemplos que funcionam: {EXEMPLOS_PRAZO}."


def prazo_passado(quando: datetime, *, zona: str, agora: datetime) -> str:
    """A deadline in the past."""
    dito = format_when(quando, tz=zona, now=agora)
    return f"Esse prazo ({dito}) já passou. Informe uma data futura, como {EXEMPLOS_PRAZO}."


def linha_chave_desconhecida(chave: str) -> str:
    """An unknown `| chave valor` part in the one-line /novo."""
    return (
        f"Não conheço o campo <b>{escape(chave[:30])}</b>. Use <i>prazo</i>, <i>prioridade</i>, "
        "<i>descrição</i> ou <i>contato</i>. Exemplo: <code>/novo Migrar servidor | prazo "
        "sexta 18h | prioridade alta</code>"
    )


def linha_valor_vazio(chave: str) -> str:
    """A `| prazo` part with nothing after it."""
    return f"Faltou o valor de <b>{escape(chave[:30])}</b>."


def processo_nao_encontrado(texto: str) -> str:
    """A number the caller cannot see (or that does not exist: they are told the same)."""
    return (
        f"Processo <b>{escape(shorten(texto, 20))}</b> não encontrado. Veja os seus em /processos."
    )


def filtro_desconhecido(texto: str) -> str:
    """`/processos xyz`."""
    return (
        f"Não conheço o filtro <b>{escape(shorten(texto, 30))}</b>. Use <i>abertos</i>, "
        "<i>atrasados</i>, <i>concluídos</i> ou <i>todos</i>; mostrei os abertos."
    )


def nenhum_contato(busca: str) -> str:
    """/contatos found nobody."""
    return f"Nenhum contato encontrado para <b>{escape(busca)}</b>. Crie um com /contato novo."


def contato_ambiguo(nome: str, encontrados: int) -> str:
    """The one-line /novo named a contact that matched zero or several."""
    if encontrados == 0:
        return (
            f"Nenhum contato com <b>{escape(nome)}</b>. Envie outro nome ou toque em Pular: "
            "dá para vincular depois, pelo botão 📇 Contato do processo."
        )
    return f"Vários contatos combinam com <b>{escape(nome)}</b>. Seja mais específico."


def transicao_ilegal(de: str, para: str, legais: tuple[str, ...]) -> str:
    """A status change the machine forbids, with what is allowed."""
    permitido = ", ".join(STATUS_NOME[s] for s in legais) or "nenhuma (estado final)"
    return (
        f"Não é possível passar de <b>{STATUS_NOME[de]}</b> para <b>{STATUS_NOME.get(para, para)}"
        f"</b>. A partir de {STATUS_NOME[de]}: {permitido}."
    )


def _prazo(processo: Processo, *, zona: str, agora: datetime) -> str:
    if processo.prazo is None:
        return "sem prazo"
    dito = format_when(processo.prazo, tz=zona, now=agora)
    atrasado = processo.prazo < agora and processo.status in (
        "aberto",
        "em_andamento",
        "aguardando",
    )
    return f"⚠️ <b>{dito} (atrasado)</b>" if atrasado else dito


def processo_criado(
    processo: Processo, *, zona: str, agora: datetime, contato: str | None = None
) -> str:
    """Confirmation of /novo, with the new number."""
    com = f" · Contato: {escape(contato)}" if contato else ""
    return (
        f"✅ Processo <b>{processo.numero}</b> aberto: {escape(processo.titulo)}\n"
        f"Prioridade: {processo.prioridade} · Prazo: {_prazo(processo, zona=zona, agora=agora)}"
        f"{com}\nVeja e acompanhe com /processo {processo.numero}"
    )


def linha_processo(processo: Processo, *, zona: str, agora: datetime) -> str:
    """One line of /processos or /buscar."""
    return (
        f"{STATUS_ICONE[processo.status]} <b>{processo.numero}</b> "
        f"{PRIORIDADE_ICONE[processo.prioridade]} {escape(shorten(processo.titulo, 60))}\n"
        f"    {STATUS_NOME[processo.status]} · {_prazo(processo, zona=zona, agora=agora)}"
    )


def lista_processos(
    processos: list[Processo],
    *,
    filtro: str,
    pagina: int,
    zona: str,
    agora: datetime,
    responsavel: str | None = None,
) -> str:
    """The /processos page."""
    de = f" · responsável: {escape(responsavel)}" if responsavel else ""
    cabecalho = f"<b>{TITULO_FILTRO[filtro]}</b>{de} · página {pagina + 1}"
    if not processos:
        return f"{cabecalho}\n\n{LISTA_VAZIA[filtro]}"
    linhas = [linha_processo(p, zona=zona, agora=agora) for p in processos]
    return cabecalho + "\n\n" + "\n".join(linhas) + "\n\nAbra um com /processo número."


def resultado_busca(
    busca: str, processos: list[Processo], *, zona: str, agora: datetime, limite: int = 10
) -> str:
    """The /buscar answer."""
    if not processos:
        return NADA_ENCONTRADO.format(busca=escape(shorten(busca, 80)))
    linhas = [linha_processo(p, zona=zona, agora=agora) for p in processos]
    mais = (
        f"\n\n<i>Mostrando os {limite} mais relevantes; acrescente palavras para refinar.</i>"
        if len(processos) >= limite
        else ""
    )
    return f"<b>Resultados para {escape(shorten(busca, 80))}</b>\n\n" + "\n".join(linhas) + mais


def _evento(evento: ProcessoEvento, *, zona: str, agora: datetime, completo: bool = False) -> str:
    quem = escape(evento.autor.nome) if evento.autor else "Cogep"
    quando = format_when(evento.criado_em, tz=zona, now=agora)
    if evento.tipo == "criado":
        o_que = "abriu o processo"
    elif evento.tipo == "status":
        de, para = (
            STATUS_NOME.get(evento.de or "", evento.de),
            STATUS_NOME.get(evento.para or "", evento.para),
        )
        o_que = f"mudou o status: {de} → <b>{para}</b>"
    elif evento.tipo == "comentario":
        texto = evento.texto or ""
        o_que = f"comentou: <i>{escape(texto if completo else shorten(texto, 300))}</i>"
    elif evento.tipo == "responsavel" and evento.para:
        o_que = f"atribuiu a <b>{escape(evento.para)}</b>"
    elif evento.tipo == "responsavel":
        o_que = "deixou o processo sem responsável"
    elif evento.tipo == "prazo":
        novo = (
            format_when(datetime.fromisoformat(evento.para), tz=zona, now=agora)
            if evento.para
            else "sem prazo"
        )
        o_que = f"mudou o prazo para <b>{novo}</b>"
    elif evento.tipo == "contato" and evento.para:
        o_que = f"vinculou o contato <b>{escape(evento.para)}</b>"
    elif evento.tipo == "contato":
        o_que = f"desvinculou o contato <b>{escape(evento.de or '—')}</b>"
    elif evento.tipo == "titulo":
        o_que = f"mudou o título para <b>{escape(shorten(evento.para or '', 120))}</b>"
    elif evento.tipo == "descricao":
        o_que = "editou a descrição" if evento.para else "apagou a descrição"
    else:
        o_que = f"mudou a prioridade: {evento.de} → <b>{evento.para}</b>"
    return f"• {quando} — {quem} {o_que}"


def detalhe_processo(
    processo: Processo,
    eventos: list[ProcessoEvento],
    *,
    zona: str,
    agora: datetime,
    total: int = 0,
) -> str:
    """The /processo screen: fields and the latest history."""
    responsavel = escape(processo.responsavel.nome) if processo.responsavel else "ninguém ainda"
    contato = processo.contato
    linha_contato = (
        f"Contato: {escape(contato.nome)}"
        + (f" ({escape(contato.empresa)})" if contato.empresa else "")
        if contato
        else "Contato: —"
    )
    partes = [
        f"{STATUS_ICONE[processo.status]} <b>{processo.numero}</b> — {escape(processo.titulo)}",
        "",
        f"Status: <b>{STATUS_NOME[processo.status]}</b>",
        f"Prioridade: {PRIORIDADE_ICONE[processo.prioridade]} {processo.prioridade}",
        f"Prazo: {_prazo(processo, zona=zona, agora=agora)}",
        f"Solicitante: {escape(processo.solicitante.nome)}",
        f"Responsável: {responsavel}",
        linha_contato,
    ]
    if processo.descricao:
        partes += ["", escape(processo.descricao)]
    if eventos:
        partes += ["", "<b>Histórico</b>"]
        if total > len(eventos):
            partes.append(f"<i>… {total - len(eventos)} eventos anteriores em 📜 Histórico</i>")
        partes += [_evento(e, zona=zona, agora=agora) for e in eventos]
    return "\n".join(partes)


def historico_completo(
    processo: Processo, eventos: list[ProcessoEvento], *, total: int, zona: str, agora: datetime
) -> str:
    """Every event of a processo, comments in full (long histories span several messages)."""
    cabecalho = f"📜 <b>Histórico de {processo.numero}</b> — {escape(shorten(processo.titulo, 80))}"
    linhas = [_evento(e, zona=zona, agora=agora, completo=True) for e in eventos]
    if total > len(eventos):
        linhas.insert(0, f"<i>(os {len(eventos)} eventos mais recentes de {total})</i>")
    return "\n\n".join([cabecalho, "\n".join(linhas)])


def aviso_status(processo: Processo, autor: str, de: str, para: str) -> str:
    """Notice to the people involved about a status change."""
    return (
        f"{STATUS_ICONE[para]} <b>{processo.numero}</b> {escape(shorten(processo.titulo, 60))}\n"
        f"{escape(autor)} mudou o status: {STATUS_NOME[de]} → <b>{STATUS_NOME[para]}</b>"
    )


def aviso_comentario(processo: Processo, autor: str) -> str:
    """Notice about a new comment."""
    return (
        f"💬 <b>{processo.numero}</b> {escape(shorten(processo.titulo, 60))}\n"
        f"{escape(autor)} comentou. Veja com /processo {processo.numero}"
    )


def aviso_atribuicao(processo: Processo, autor: str, *, para: Usuario | None = None) -> str:
    """Notice about a new responsável (`para`: who reads it; the new responsável reads "você")."""
    if processo.responsavel and para is not None and para.id == processo.responsavel.id:
        o_que = "atribuiu a <b>você</b>"
    elif processo.responsavel:
        o_que = f"atribuiu a <b>{escape(processo.responsavel.nome)}</b>"
    else:
        o_que = "deixou sem responsável"
    return (
        f"👤 <b>{processo.numero}</b> {escape(shorten(processo.titulo, 60))}\n"
        f"{escape(autor)} {o_que}. Veja com /processo {processo.numero}"
    )


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


from bot.texts.entrada import *  # noqa: E402, F403
