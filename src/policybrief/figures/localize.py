"""Numbers and dates in a figure, in the edition's language (Babel, CLDR data)."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from babel.numbers import format_currency, format_decimal

from policybrief.figures.spec import NumberFormat


@dataclass(frozen=True)
class Localizer:
    """What a drawing function needs to print values in one language."""

    lang: str
    number: NumberFormat

    def value(self, x: float) -> str:
        """31243 -> '31,243' (en) / '31.243' (es); 3000 USD -> '$3,000' / '3.000 US$'."""
        locale = Locale.parse(self.lang)
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
