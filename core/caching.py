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


def key(prefix: str, id_) -> str:
    """The key of one object's figure, e.g. key("client-responsiveness", 7)."""
    return f"{prefix}:{id_}"


def get_or_compute(key: str, seconds: float, compute: Callable[[], T]) -> T:
    """The value cached under `key`, else `compute()`, kept for `seconds`."""
    try:
        value = cache.get(key)
    except RedisError:
        logger.warning("cache unreachable: %s computed without it", key, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        put(key, value, seconds)
    return value


def put(key: str, value, seconds: float) -> None:
    """Keep `value` under `key` for `seconds` (an unreachable cache is logged)."""
    try:
        cache.set(key, value, seconds)
    except RedisError:
        logger.warning("cache unreachable: %s not kept", key, exc_info=True)


def get_many_or_compute(
    prefix: str, ids: list, seconds: float, compute: Callable[[list], dict], default=None
) -> dict:
    """{id: value} for `ids`: those cached under key(prefix, id), the others computed
    together by `compute(missing_ids)` (an id it leaves out gets `default`) and kept for
    `seconds`."""
    keys = {key(prefix, id_): id_ for id_ in ids}
    try:
        found = {keys[key]: value for key, value in cache.get_many(list(keys)).items()}
    except RedisError:
        logger.warning("cache unreachable: %s computed without it", prefix, exc_info=True)
        computed = compute(list(ids))
        return {id_: computed.get(id_, default) for id_ in ids}
    missing = [id_ for id_ in ids if id_ not in found]
    if missing:
        computed = compute(missing)
        fresh = {id_: computed.get(id_, default) for id_ in missing}
        try:
            cache.set_many({key(prefix, id_): value for id_, value in fresh.items()}, seconds)
        except RedisError:
            logger.warning("cache unreachable: %s not kept", prefix, exc_info=True)
        found.update(fresh)
    return found
