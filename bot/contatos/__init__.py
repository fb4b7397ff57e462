"""Contatos, the CRM: the team's shared book of client contacts, linked from processos.

    regras    each field's validation and normalisation (e-mail, phone, lengths), `CAMPOS`
    servico   ContatoService: create (consuming its guided form), edit, list, search, a card,
              archive / unarchive, remove (only a contact no processo names)

A new rule about a field goes in `regras`; a new operation is a `ContatoService` method (one
short transaction; queries in `db.repositories.contatos`); its chat side is `handlers.contatos`.
"""

from bot.contatos.servico import ContatoService

__all__ = [
    "ContatoService",
]
