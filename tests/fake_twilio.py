"""A local stand-in for Twilio's Messages API (2010-04-01), at its HTTP boundary: what
the official library sends and reads (docs: "Create a Message resource", "Read multiple
Message resources"), nothing of our code. Texts it takes are kept in `messages`.

`plan` sets how the next POSTs are answered, one word each, then "ok": "500" (an error,
nothing taken), "kill" (the text is taken, then the connection is dropped before any
answer: the client cannot tell it was), "kill_before" (dropped before it is taken).

Signed webhooks to our site: `signed_post` (Twilio's X-Twilio-Signature)."""

import base64
import contextlib
import json
import socket
import threading
import uuid
from collections import deque
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
FROM_NUMBER = "+15005550006"


class FakeTwilio:
    def __init__(self):
        self.messages: list[dict] = []
        self.requests: list[str] = []  # "POST" / "GET" per call, in order
        self.plan: deque[str] = deque()
        self.invalid_numbers: set[str] = set()  # answered 400, code 21211
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def sms_url(self) -> str:
        return (
            f"twilio://{ACCOUNT_SID}:{AUTH_TOKEN}@127.0.0.1:{self.port}"
            f"?from={FROM_NUMBER.replace('+', '%2B')}&scheme=http"
        )

    def start(self) -> "FakeTwilio":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.requests.clear()
            self.plan.clear()
            self.invalid_numbers.clear()

    def to(self, number: str) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if m["to"] == number]


def _resource(message: dict) -> dict:
    """A Message resource as Twilio's API writes it."""
    return {
        "account_sid": ACCOUNT_SID,
        "api_version": "2010-04-01",
        "body": message["body"],
        "date_created": message["date_created"],
        "date_sent": None,
        "date_updated": message["date_created"],
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": message["from"],
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": message["sid"],
        "status": "queued",
        "subresource_uris": {},
        "to": message["to"],
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message['sid']}.json",
    }


def _handler_for(fake: FakeTwilio):
    prefix = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    expected_auth = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _json(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _drop(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != expected_auth:
                self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return False
            return True

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            with fake.lock:
                fake.requests.append("POST")
                behaviour = fake.plan.popleft() if fake.plan else "ok"
            if behaviour == "kill_before":
                return self._drop()
            if not self._authorised():
                return None
            if urlsplit(self.path).path != prefix:
                return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
            if behaviour == "500":
                return self._json(500, {"code": 20500, "message": "Internal", "status": 500})
            to = form.get("To", "")
            if not to.startswith("+") or to in fake.invalid_numbers or not form.get("Body"):
                return self._json(
                    400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
                )
            message = {
                "sid": "SM" + uuid.uuid4().hex,
                "to": form["To"],
                "from": form.get("From", ""),
                "body": form["Body"],
                "status_callback": form.get("StatusCallback", ""),
                "date_created": format_datetime(datetime.now(UTC), usegmt=True),
            }
            with fake.lock:
                fake.messages.append(message)
            if behaviour == "kill":
                return self._drop()
            return self._json(201, _resource(message))

        def do_GET(self):
            with fake.lock:
                fake.requests.append("GET")
            if not self._authorised():
                return None
            parts = urlsplit(self.path)
            if parts.path != prefix:
                return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            size = int(query.get("PageSize", 50))
            with fake.lock:
                found = [
                    _resource(m)
                    for m in reversed(fake.messages)  # newest first, as Twilio lists them
                    if m["to"] == query.get("To", m["to"])
                    and m["from"] == query.get("From", m["from"])
                ][:size]
            return self._json(
                200,
                {
                    "messages": found,
                    "end": len(found) - 1,
                    "first_page_uri": parts.path,
                    "next_page_uri": None,
                    "page": 0,
                    "page_size": size,
                    "previous_page_uri": None,
                    "start": 0,
                    "uri": self.path,
                },
            )

    return Handler


def signed_post(client, path: str, params: dict, *, site_url: str, token: str = AUTH_TOKEN):
    """POST a webhook to our site as Twilio does: the form, and its signature over our
    public URL and the form."""
    signature = RequestValidator(token).compute_signature(site_url + path, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
