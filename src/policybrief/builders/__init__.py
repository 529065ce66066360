"""One small builder per output format, found through a registry (``registry.py``);
``base.py`` says what a builder receives and returns."""
