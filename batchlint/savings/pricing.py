"""The price table: shipped data (pricing.toml) plus [tool.batchlint.pricing]."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from ..config import toml_parser

DEFAULT_MODEL = "claude-sonnet-5"
_PRICE_KEYS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")


@dataclass(frozen=True)
class Price:
    """USD per million tokens for one model."""

    model: str
    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    line: str = ""  # haiku | sonnet | opus | fable | mythos
    generation: str = ""
    unverified: bool = False
    source: str = "shipped table"
    # Haiku 5.5: prompts over the threshold pay the long rates for every token
    long_prompt_threshold: int = 0
    long_input: float = 0.0
    long_output: float = 0.0
    long_cache_read: float = 0.0


@dataclass(frozen=True)
class PriceTable:
    prices: dict
    default_model: str
    as_of: str
    source: str
    batch_discount: float

    def get(self, model: str) -> Price | None:
        return self.prices.get(model)

    def cheapest_same_generation(self, price: Price) -> Price | None:
        """The lowest-priced model line of the same generation (information only)."""
        same = [p for p in self.prices.values() if p.generation == price.generation and p.generation]
        cheapest = min(same, key=lambda p: (p.input + p.output, p.model), default=None)
        return cheapest if cheapest is not None and cheapest.line != price.line else None


def _shipped() -> dict:
    # read beside this module: importlib.resources would add 8 ms to every cold run's imports
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pricing.toml"), encoding="utf-8") as handle:
        text = handle.read()
    return toml_parser().loads(text)


def shipped_models() -> set[str]:
    """The model ids of the shipped table, aliases included (to validate the configuration)."""
    return set(_shipped()["models"])


def load_prices(overrides: dict | None = None) -> PriceTable:
    """The shipped table with `[tool.batchlint.pricing]` applied (already validated)."""
    data = _shipped()
    raw_models: dict = dict(data["models"])
    overrides = overrides or {}
    for model, fields in overrides.get("models", {}).items():
        merged = dict(raw_models.get(model, {}))
        if "input" in fields:
            merged.pop("alias_of", None)
        merged.update(fields)
        merged["source"] = "[tool.batchlint.pricing]"
        raw_models[model] = merged
    prices: dict[str, Price] = {}
    for model, fields in raw_models.items():
        if "alias_of" not in fields:
            prices[model] = _price(model, fields)
    for model, fields in raw_models.items():
        target = fields.get("alias_of")
        if target and target in prices:
            prices[model] = replace(prices[target], model=model, unverified=prices[target].unverified or bool(fields.get("unverified")))
    return PriceTable(
        prices=prices,
        default_model=overrides.get("default-model", DEFAULT_MODEL),
        as_of=str(data.get("as_of", "")),
        source=str(data.get("source", "")),
        batch_discount=float(data.get("batch_discount", 0.5)),
    )


def _price(model: str, fields: dict) -> Price:
    input_price = float(fields["input"])
    values = {key: float(fields.get(key, 0.0)) for key in _PRICE_KEYS}
    # missing cache prices follow the documented multipliers
    values["cache_write_5m"] = values["cache_write_5m"] or input_price * 1.25
    values["cache_write_1h"] = values["cache_write_1h"] or input_price * 2.0
    values["cache_read"] = values["cache_read"] or input_price * 0.1
    return Price(
        model=model,
        **values,
        line=str(fields.get("line", "")),
        generation=str(fields.get("generation", "")),
        unverified=bool(fields.get("unverified", False)),
        source=str(fields.get("source", "shipped table")),
        long_prompt_threshold=int(fields.get("long_prompt_threshold", 0)),
        long_input=float(fields.get("long_input", 0.0)),
        long_output=float(fields.get("long_output", 0.0)),
        long_cache_read=float(fields.get("long_cache_read", 0.0)),
    )
