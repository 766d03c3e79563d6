"""Counting uses of something in fixed windows, in the shared cache (Redis), so that every
web process counts together."""

import logging
import time
from datetime import timedelta

from django.core.cache import cache

logger = logging.getLogger(__name__)


def rate_limit_allows(*, key: str, limit: int, window: timedelta) -> bool:
    """Count one use of `key` in the current window; False once the window has had more
    than `limit`. When the cache cannot be reached the use is allowed (and logged): a
    limit that guards against a flood must not refuse everyone during an outage."""
    seconds = max(int(window.total_seconds()), 1)
    bucket = f"rate:{key}:{int(time.time() // seconds)}"
    try:
        if cache.add(bucket, 1, timeout=seconds + 1):
            count = 1
        else:
            try:
                count = cache.incr(bucket)
            except ValueError:  # expired between the two calls: a new window
                cache.add(bucket, 1, timeout=seconds + 1)
                count = 1
    except Exception:  # noqa: BLE001 - any cache failure; see above
        logger.warning("rate limit %s not counted: the cache is unavailable", key)
        return True
    return count <= limit
