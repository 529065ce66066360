"""Everything that talks to pandoc: the runner, the AST helpers and the filters."""
