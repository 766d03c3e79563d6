"""SMS_URL, read: `console://` or
`twilio://ACCOUNT_SID:AUTH_TOKEN@HOST[:PORT]?from=+1555…[&scheme=http]`."""

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class SmsConfig:
    provider: str  # "console" or "twilio"
    account_sid: str = ""
    auth_token: str = ""
    base_url: str = ""  # where the provider's API answers, e.g. https://api.twilio.com
    sender: str = ""  # the number texts come from (E.164)


@lru_cache(maxsize=8)
def _parse(url: str) -> SmsConfig:
    parts = urlsplit(url)
    if parts.scheme == "console":
        return SmsConfig(provider="console", sender=parse_qs(parts.query).get("from", [""])[0])
    if parts.scheme != "twilio":
        raise ImproperlyConfigured(f"SMS_URL: unknown provider {parts.scheme!r}")
    query = parse_qs(parts.query)
    if not (parts.username and parts.password and parts.hostname and query.get("from")):
        raise ImproperlyConfigured("SMS_URL: twilio://ACCOUNT_SID:AUTH_TOKEN@HOST?from=+1555…")
    scheme = query.get("scheme", ["https"])[0]
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return SmsConfig(
        provider="twilio",
        account_sid=unquote(parts.username),
        auth_token=unquote(parts.password),
        base_url=f"{scheme}://{host}",
        sender=query["from"][0],
    )


def sms_config() -> SmsConfig:
    """The SMS_URL in force (read each time: tests change it)."""
    return _parse(settings.SMS_URL)
