"""The warning rules: one module a rule, each registering itself with `register`.

A rule is a small class with a code (W01 ...), a name in both languages, its parameters with
defaults, the models whose changes it reads, and `find(ctx)`, which returns every condition it
sees in `ctx.villages` (all villages when None) on `ctx.today`, as `Finding`s. It reads the
database in a bounded number of set-based queries, never one query per record, so a full pass
over a city stays under a minute (`make bench`). The engine (`alerts.engine`) turns findings into
alerts: it raises new ones, refreshes and resolves the rest.

Adding a rule is adding one file here (`wNN_name.py`) whose class is decorated `@register`:
every such module is loaded when the app is ready.
"""

import datetime as dt
import importlib
import pkgutil
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext

from alerts.models import Level

# Without a maximum of its own, no parameter goes past these: a count of days or metres beyond
# a century must not reach date arithmetic (which would overflow), nor an amount beyond 10^9.
INT_CEILING = 36500
DECIMAL_CEILING = Decimal("1000000000")


@dataclass(frozen=True)
class Param:
    """One parameter of a rule: its default, what it means and its unit, and its range."""

    default: int | Decimal
    label: Promise
    minimum: int | Decimal = 0
    maximum: int | Decimal | None = None

    @property
    def ceiling(self) -> int | Decimal:
        if self.maximum is not None:
            return self.maximum
        return INT_CEILING if isinstance(self.default, int) else DECIMAL_CEILING

    def parse(self, value: object) -> int | Decimal:
        """`value` as this parameter's type, or ValueError saying why not (in the reader's
        language)."""
        text = str(value).strip()
        try:
            number = Decimal(text)
        except ArithmeticError as exc:
            raise ValueError(gettext("“%(value)s” is not a number.") % {"value": text}) from exc
        if not number.is_finite():
            raise ValueError(gettext("“%(value)s” is not a number.") % {"value": text})
        if isinstance(self.default, int):
            if number != number.to_integral_value():
                raise ValueError(gettext("Give a whole number, not %(value)s.") % {"value": text})
            number = int(number)
        if number < self.minimum or number > self.ceiling:
            raise ValueError(
                gettext("%(value)s is outside %(low)s to %(high)s.")
                % {"value": number, "low": self.minimum, "high": self.ceiling}
            )
        return number


@dataclass(frozen=True)
class Evidence:
    """A record a warning points to, with what it shows (a number, a date)."""

    record: Model
    note: str = ""

    def as_json(self) -> dict:
        url = self.record.get_absolute_url() if hasattr(self.record, "get_absolute_url") else ""
        return {
            "model": self.record._meta.label_lower,
            "id": self.record.pk,
            "kind": str(self.record._meta.verbose_name),
            "name": str(self.record)[:200],
            "url": url,
            "note": self.note,
        }


@dataclass
class Finding:
    """One condition a rule sees. `key` names it within the rule and never changes while the
    condition lasts (e.g. "lease:12", or the sorted ids of a group of projects); `unit_id` is the
    village (or township, for rules over a township) it belongs to; `numbers` fill the rule's
    message; `evidence` are the records with the numbers."""

    key: str
    unit_id: int
    level: Level
    subject: Model | None
    numbers: dict = field(default_factory=dict)
    evidence: Sequence[Evidence] = ()


@dataclass(frozen=True)
class Context:
    """What a rule is asked about: the villages (None: all), the day, its parameters."""

    today: dt.date
    params: dict
    villages: frozenset[int] | None = None

    def __getitem__(self, name: str):
        return self.params[name]


class Rule:
    code: str = ""
    name: Promise
    description: Promise
    message: Promise  # with %(name)s placeholders filled from a finding's numbers
    params: dict[str, Param] = {}
    reads: tuple[str, ...] = ()  # "app_label.model" whose saves re-evaluate the rule
    date_driven: bool = False  # also evaluated nightly: the same data age into a warning
    township_wide: bool = False  # findings belong to a township and read all its villages

    def find(self, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    number_labels: dict[str, Promise] = {}  # the numbers shown beside the message, named

    def labelled_numbers(self, numbers: dict) -> list[tuple[str, object]]:
        """The finding's numbers a person reads, by their labels (the rest fill the message)."""
        return [(str(label), numbers[k]) for k, label in self.number_labels.items() if k in numbers]

    def explain(self, numbers: dict) -> str:
        try:
            return str(self.message) % numbers
        except (KeyError, TypeError, ValueError):
            return str(self.description)

    # Pairs of parameters where the first must not be above the second (yellow before red).
    ordered: tuple[tuple[str, str], ...] = ()

    def parameters(self, overrides: dict | None = None) -> dict:
        """Defaults, then settings.ALERT_RULES[code], then `overrides` (the admin's).
        Raises ValueError naming what is wrong."""
        values = {name: p.default for name, p in self.params.items()}
        for source in (getattr(settings, "ALERT_RULES", {}).get(self.code, {}), overrides or {}):
            for name, value in source.items():
                if name in self.params:
                    values[name] = self.params[name].parse(value)
        for low, high in self.ordered:
            if values[low] > values[high]:
                raise ValueError(
                    gettext("%(high)s (%(high_label)s) cannot be below %(low)s (%(low_label)s).")
                    % {
                        "high": high,
                        "high_label": self.params[high].label,
                        "low": low,
                        "low_label": self.params[low].label,
                    }
                )
        return values


_rules: dict[str, Rule] = {}


def register(rule_class: type[Rule]) -> type[Rule]:
    """Class decorator: make the rule known by its code."""
    _rules[rule_class.code] = rule_class()
    return rule_class


RULE_MODULE = re.compile(r"w[0-9]{2}_[a-z0-9_]+")


def load_rules() -> None:
    """Import every rule module of this package (each registers its rule)."""
    for module in pkgutil.iter_modules(__path__):
        if RULE_MODULE.fullmatch(module.name):
            importlib.import_module(f"{__name__}.{module.name}")


def all_rules() -> list[Rule]:
    return [_rules[code] for code in sorted(_rules)]


def get_rule(code: str) -> Rule | None:
    return _rules.get(code)
