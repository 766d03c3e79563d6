"""The SMS channel (Twilio, or the console): its configuration from SMS_URL, its
transport, the text's segment rule, and the provider's webhooks (docs/channels.md)."""
