"""Knowledge base: extract, chunk, store and search the team's documents (issue 13)."""
