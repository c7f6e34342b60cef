"""A product the co-op handles: produce it buys and packs, or an input it sells (pesticide…)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Invalid, NotFound
from domain.topics import stable_topics
from domain.values import id_for

UNITS = ("kg", "bag", "bottle", "roll")
INPUT_CLASSES = ("fertilizer", "pesticide", "film", "seed")
GRADE = re.compile(r"^[A-Za-z0-9]{1,8}$")

# A produce's allowed cold-room temperatures in °C, low and high; an end not set is open.
Range = tuple[Decimal | None, Decimal | None]


@stable_topics("Product")
class Product(Aggregate):
    @event("Registered")
    def __init__(self, sku: str, spec: dict[str, Any]) -> None:
        self.sku = sku
        self.spec = spec
        self.prices: list[tuple[datetime, dict[str, int]]] = []

    @staticmethod
    def create_id(sku: str) -> UUID:
        return id_for("product", sku)

    @classmethod
    def register(cls, *, sku: str, **spec: Any) -> Product:
        return cls(sku=sku, spec=check_spec(spec))

    def correct_details(self, **spec: Any) -> None:
        checked = check_spec(spec)
        if checked["kind"] != self.kind:
            raise Invalid(f"{self.sku} is {self.kind}; a product never changes kind", field="kind")
        if checked != self.spec:
            self._details_corrected(spec=checked)

    @event("DetailsCorrected")
    def _details_corrected(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def set_price(self, *, effective_from: datetime, grades: dict[str, int]) -> None:
        """Add a purchase price; setting the same date again corrects it, the old line stays."""
        if self.kind != "produce":
            raise Invalid(f"{self.sku} is an input; the co-op buys only produce", field="sku")
        if not grades:
            raise Invalid("a price needs at least one grade", field="grades")
        for grade, fen in grades.items():
            if not GRADE.match(grade):
                raise Invalid(f"grade {grade!r} must be 1-8 letters or digits", field="grades")
            if isinstance(fen, bool) or not isinstance(fen, int) or fen <= 0:
                raise Invalid(f"price of grade {grade} must be a positive integer of fen per kg",
                              field="grades")
        if (effective_from, grades) not in self.prices:
            self._price_set(effective_from=effective_from, grades=dict(grades))

    @event("PriceSet")
    def _price_set(self, effective_from: datetime, grades: dict[str, int]) -> None:
        self.prices = [p for p in self.prices if p[0] != effective_from]
        self.prices.append((effective_from, grades))
        self.prices.sort(key=lambda p: p[0])

    def price_on(self, at: datetime, grade: str) -> int:
        """Fen per kg of a grade in force at a moment."""
        in_force = [grades for since, grades in self.prices if since <= at]
        if not in_force or grade not in in_force[-1]:
            raise NoPrice(f"no purchase price for {self.sku} grade {grade} on {at.date()}; "
                          "set one with PUT /v1/prices first", sku=self.sku, grade=grade)
        return in_force[-1][grade]

    @property
    def kind(self) -> str:
        return str(self.spec["kind"])


def check_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The product fields that make sense for its kind, checked; others are refused."""
    kind, unit = spec.get("kind"), spec.get("unit")
    if kind not in ("produce", "input"):
        raise Invalid("kind must be produce or input", field="kind")
    if unit not in UNITS:
        raise Invalid(f"unit must be one of {', '.join(UNITS)}", field="unit")
    if not spec.get("name"):
        raise Invalid("name is required", field="name")
    if kind == "produce":
        return _produce(spec)
    return _input(spec)


def _produce(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["unit"] != "kg":
        raise Invalid("produce is bought by the kg", field="unit")
    life = spec.get("shelf_life_days")
    if not isinstance(life, int) or life <= 0:
        raise Invalid("produce needs shelf_life_days, a positive number of days",
                      field="shelf_life_days")
    low, high = spec.get("temp_min_c"), spec.get("temp_max_c")
    if low is not None and high is not None and low > high:
        raise Invalid("temp_min_c must not be above temp_max_c", field="temp_min_c")
    _refuse_extra(spec, ("input_class", "active_ingredient", "registration_no", "phi_days"))
    return {k: spec.get(k) for k in ("name", "kind", "unit", "shelf_life_days",
                                     "temp_min_c", "temp_max_c")}


def _input(spec: dict[str, Any]) -> dict[str, Any]:
    if spec.get("input_class") not in INPUT_CLASSES:
        raise Invalid(f"an input needs input_class, one of {', '.join(INPUT_CLASSES)}",
                      field="input_class")
    if spec["input_class"] == "pesticide":
        phi = spec.get("phi_days")
        if isinstance(phi, bool) or not isinstance(phi, int) or phi < 0:
            raise Invalid("a pesticide needs phi_days (pre-harvest interval, days)",
                          field="phi_days")
        for field in ("active_ingredient", "registration_no"):
            if not spec.get(field):
                raise Invalid(f"a pesticide needs {field}", field=field)
    elif spec.get("phi_days") is not None:
        raise Invalid("phi_days is for pesticides only", field="phi_days")
    _refuse_extra(spec, ("shelf_life_days", "temp_min_c", "temp_max_c"))
    return {k: spec.get(k) for k in ("name", "kind", "unit", "input_class",
                                     "active_ingredient", "registration_no", "phi_days")}


def _refuse_extra(spec: dict[str, Any], fields: tuple[str, ...]) -> None:
    for field in fields:
        if spec.get(field) is not None:
            raise Invalid(f"{field} does not apply to a {spec['kind']} product", field=field)


class UnknownProduct(NotFound):
    def __init__(self, sku: str) -> None:
        super().__init__(f"no product {sku} is registered", sku=sku)


class NoPrice(Invalid):
    pass


def allowed_range(spec: dict[str, Any]) -> Range:
    """The cold-room range a product's details set (an input's is open at both ends)."""
    return spec.get("temp_min_c"), spec.get("temp_max_c")


def outside_range(celsius: Decimal, allowed: Range) -> bool:
    """The cold-room rule: a reading below the low end or above the high end left the range."""
    low, high = allowed
    return (low is not None and celsius < low) or (high is not None and celsius > high)
