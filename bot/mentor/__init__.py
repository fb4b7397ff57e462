"""The mentor, Professor Anatoly Petrovich: persona, model client, memory, tools (issue 14)."""
