"""policybrief: a policy brief as Markdown chapters and BibTeX, built into PDF, HTML and DOCX."""

__version__ = "0.1.0"
