"""What comes back from the people asked: texts and mails (their replies, STOP and START),
and what the providers say of what we sent (delivered, bounced, complained). The views
that receive them are in feedback/sms/ (Twilio) and feedback/inbound/email.py (anymail);
the writes are feedback/services/inbound.py's."""
