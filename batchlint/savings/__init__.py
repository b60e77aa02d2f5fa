"""Savings: what a candidate costs now, in batch, and what stacks on top."""

from __future__ import annotations

from .estimate import Estimate, Settings, estimate
from .pricing import PriceTable, load_prices


def settings_from(config_items: tuple) -> Settings:
    """[tool.batchlint.savings] (validated items) over the defaults."""
    values = dict(config_items)
    base = Settings()
    runs = dict(base.runs_per_month)
    runs.update(dict(values.get("runs-per-month", ())))
    return Settings(
        runs_per_month=runs,
        items_per_run=values.get("items-per-run", base.items_per_run),
        output_fill=values.get("output-fill", base.output_fill),
        chars_per_token=values.get("chars-per-token", base.chars_per_token),
        dynamic_input_tokens=values.get("dynamic-input-tokens", base.dynamic_input_tokens),
        default_max_tokens=int(values.get("default-max-tokens", base.default_max_tokens)),
    )


def prices_from(config_items: tuple) -> PriceTable:
    return load_prices(dict(config_items))


__all__ = ["Estimate", "PriceTable", "Settings", "estimate", "load_prices", "prices_from", "settings_from"]
