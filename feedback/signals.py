"""Signals the feedback app sends so that apps to its right can follow without feedback
importing them (core ← candidates ← feedback ← privacy …).

`sms_consent_stated`: a person said STOP (given=False) or START (given=True) by text.
privacy records it as consent (its history, the flag the loop reads, the timeline), in
the sending service's transaction. Keyword arguments: `candidate`, `given`, `source`,
`at`.
"""

from django.dispatch import Signal

sms_consent_stated = Signal()
