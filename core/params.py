"""Numbers read from a query string ("?awaiting=3"), where anyone can type anything."""


def bounded_int(value, *, default: int, minimum: int, maximum: int) -> int:
    """`value` as an int within [minimum, maximum]: `default` when it is no integer
    ("abc", "1.5", "²", a NUL), the nearest bound when it is out of range. A page number
    past bigint would otherwise reach PostgreSQL as an OFFSET it refuses."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, minimum), maximum)
