"""AST transforms, one concern each. Every module exposes ``apply(doc, ...) -> doc``."""
