"""Calendar invites: an interview told to its parties as an iCalendar event (RFC 5545)
sent by mail (iMIP, RFC 6047), through the outbox like every message."""
