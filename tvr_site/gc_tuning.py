"""The web process's garbage collector: the objects a process makes while it loads the
site and serves its first request (URL patterns, admin classes, compiled templates, …)
live as long as the process. Left to the collector, every full collection walks all of
them again, now and then in the middle of a page, and that walk dominates the slowest
views (docs/benchmarks.md). After the first request they are moved out of its reach
(gc.freeze); what later requests make is collected as usual.
"""

import gc

from django.core.signals import request_finished

_DISPATCH_UID = "tvr-gc-freeze-after-first-request"


def _freeze(**kwargs) -> None:
    request_finished.disconnect(dispatch_uid=_DISPATCH_UID)
    gc.collect()  # the first request's own garbage is not kept forever
    gc.freeze()


def freeze_after_first_request() -> None:
    """For a process that serves requests (tvr_site.wsgi): freeze once the first is done."""
    request_finished.connect(_freeze, weak=False, dispatch_uid=_DISPATCH_UID)
