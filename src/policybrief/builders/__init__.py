"""One small builder per output format, found through a registry."""

from policybrief.builders.base import BUILDERS, BuildContext, Builder, get_builder

__all__ = ["BUILDERS", "BuildContext", "Builder", "get_builder"]
