"""`python -m bot` is the `cogep` command."""

from bot.cli import main

main()
