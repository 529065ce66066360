"""The project's configuration: a typed, closed schema loaded from ``brief.yml``."""

from policybrief.config.loader import load_config
from policybrief.config.schema import Author, BriefConfig, Organization, TextFields

__all__ = ["Author", "BriefConfig", "Organization", "TextFields", "load_config"]
