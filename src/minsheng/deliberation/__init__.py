"""Topics, statements and votes, opinion maps, consultation meetings and outcomes."""
