"""Numbers and dates in a figure, in the edition's language (Babel, CLDR data)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel import Locale
from babel.numbers import format_currency, format_decimal

from policybrief.errors import SourceError
from policybrief.figures.spec import MAX_MAGNITUDE, NumberFormat

# The largest magnitude printed: the data's limit with room for sums (stacked bars) and
# axis ticks beyond the data. Babel's decimal arithmetic fails from about 1e25.
MAX_PRINTED = MAX_MAGNITUDE * 1e6


@dataclass(frozen=True)
class Localizer:
    """What a drawing function needs to print values in one language."""

    lang: str
    number: NumberFormat

    def value(self, x: float) -> str:
        """31243 -> '31,243' (en) / '31.243' (es); 3000 USD -> '$3,000' / '3.000 US$'.
        Data files are checked (:func:`policybrief.figures.spec.number_problem`); a
        number a figure's own code computed may still be out of range: refused by name,
        not with Babel's arithmetic error."""
        if not math.isfinite(x) or abs(x) > MAX_PRINTED:
            raise SourceError(f"a figure cannot print the number {x:g}: values must be "
                              f"finite and between -{MAX_MAGNITUDE:.0e} and {MAX_MAGNITUDE:.0e}")
        locale = Locale.parse(self.lang.replace("-", "_"))
        if self.number.unit == "currency":
            pattern = locale.currency_formats["standard"].pattern.split(";")[0]
            pattern = pattern.replace(".00", "")
            return str(format_currency(x, self.number.currency, pattern, locale=locale,
                                       currency_digits=False))
        text = str(format_decimal(x, self.number.pattern, locale=locale))
        if self.number.unit == "percent":
            percent = next(iter(locale.percent_formats.values())).pattern
            return str(percent.split(";")[0]).replace("#,##0", text)
        return text
