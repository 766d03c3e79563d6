"""Short-lived caching of derived figures, on the cache in settings.CACHES (Redis).

A page that uses it still works when the cache does not: an unreachable cache is logged
and the figure computed, never an error page.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")


def get_or_compute(key: str, seconds: float, compute: Callable[[], T]) -> T:
    """The value cached under `key`, else `compute()`, kept for `seconds`."""
    try:
        value = cache.get(key)
    except RedisError:
        logger.warning("cache unreachable: %s computed without it", key, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except RedisError:
            logger.warning("cache unreachable: %s not kept", key, exc_info=True)
    return value
