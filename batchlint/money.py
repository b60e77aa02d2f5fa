"""Money as every output prints it: a figure under half a cent is `<$0.01`,
not `$0.00`, so a small saving never reads as none."""

from __future__ import annotations


def usd(value: float) -> str:
    """`$1,234.56`; `<$0.01` for a positive amount that rounds to zero cents."""
    if 0 < value < 0.005:
        return "<$0.01"
    return f"${value:,.2f}"


def usd_whole(value: float) -> str:
    """Dollars without cents for a total (`$216`), cents below a dollar (`$0.41`, `<$0.01`)."""
    return f"${value:,.0f}" if value >= 1 else usd(value)
