"""Signals the candidates app sends so that other apps can follow its rows without it
importing them (candidates imports no other app: core ← candidates ← feedback ← …).

`desks_changed`: a desk (the recruiter who handles a side of an application) changed
and candidates has already moved its own copies (applications, interviews). Other apps
keep copies of a desk on their own rows (feedback: each feedback request's `desk` and
`position`) and connect a receiver that moves those. It is sent inside the saving
service's transaction, after candidates' own writes, so a receiver's writes commit or
roll back with them and take the row locks in the same order as before. Keyword
arguments, by sender:

- Candidate: `candidate` (its owner changed);
- Position: `position` (its recruiter changed);
- Application: `application`, `position_recruiter_id` (saved; its candidate or position
  may have changed: both sides' desks and the position are to be copied again).

A signal rather than the callers calling feedback after each save: every caller (admin,
management commands, tests) goes through these services, so no caller can forget it.
"""

from django.dispatch import Signal

desks_changed = Signal()
