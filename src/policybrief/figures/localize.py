"""Numbers and dates in a figure, in the edition's language (Babel, CLDR data)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel import Locale
from babel.numbers import format_currency, format_decimal, get_currency_name

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
    # how the language writes an amount (the catalogue's ``currency_display``): CLDR's
    # "symbol" ('$3,000', '3.000 US$') or its "name" ('3,000美元', '3,000 دولار أمريكي')
    currency_display: str = "symbol"

    def value(self, x: float) -> str:
        """31243 -> '31,243' (en) / '31.243' (es); 3000 USD -> '$3,000' / '3.000 US$' /
        '3,000美元' (zh, which writes the currency's name).
        Data files are checked (:func:`policybrief.figures.spec.number_problem`); a
        number a figure's own code computed may still be out of range: refused by name,
        not with Babel's arithmetic error."""
        if not math.isfinite(x) or abs(x) > MAX_PRINTED:
            raise SourceError(f"a figure cannot print the number {x:g}: values must be "
                              f"finite and between -{MAX_MAGNITUDE:.0e} and {MAX_MAGNITUDE:.0e}")
        locale = self._locale()
        if self.names_currency:
            return str(format_currency(x, self.number.currency, locale=locale,
                                       format_type="name", currency_digits=False,
                                       format=_integral(locale.decimal_formats[None].pattern)))
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

    @property
    def names_currency(self) -> bool:
        """Whether amounts are written with the currency's name ('3,000 دولار أمريكي')."""
        return self.number.unit == "currency" and self.currency_display == "name"

    def _locale(self) -> Locale:
        return Locale.parse(self.lang.replace("-", "_"))

    def tick(self, x: float) -> str:
        """A value axis' tick: the value, or just its number when the currency is
        written by name (the axis then names it once, :meth:`unit`)."""
        if self.names_currency:
            self.value(x)  # the same range check
            return str(format_decimal(x, _integral(self._locale().decimal_formats[None].pattern),
                                      locale=self._locale()))
        return self.value(x)

    def span(self, low: float, high: float) -> str:
        """'$1,000–$2,500'; by name the currency is written once: '1,000–2,500美元'."""
        if self.names_currency:
            return self.value(high).replace(self.tick(high), f"{self.tick(low)}–{self.tick(high)}",
                                            1)
        return f"{self.value(low)}–{self.value(high)}"

    def unit(self) -> str:
        """The name a value axis of ticks from :meth:`tick` carries ('美元'), or ''."""
        if not self.names_currency:
            return ""
        return str(get_currency_name(self.number.currency, count=None, locale=self._locale()))


def _integral(pattern: str) -> str:
    """A CLDR decimal pattern without its fraction digits: '#,##0.###' -> '#,##0'."""
    return pattern.split(";")[0].split(".")[0]
