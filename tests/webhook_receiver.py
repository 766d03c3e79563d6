"""A real HTTP receiver of webhooks for the tests: a small server on a loopback port that
verifies each delivery's signature with the standardwebhooks library, as an agency's
system would, and counts what arrived per `webhook-id`.

`mode` says how it answers the next deliveries: "ok" (204), "fail" (500 with a body), or
"stall": it takes the delivery (verified, counted) but answers only after
`stall_seconds`, longer than the sender waits, so the sender retries what the receiver
already has: the duplicate a receiver drops by its webhook-id."""

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class WebhookReceiver:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.mode = "ok"
        self.stall_seconds = 5.0
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.accepted: list[dict] = []  # verified and answered 2xx: {id, headers, payload}
        self.attempts: list[str] = []  # every webhook-id that reached us, in order
        self.refused_signatures = 0
        self.stalled_ids: set[str] = set()  # taken, but answered too late
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tvr"

    def start(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted_per_id(self) -> Counter:
        with self.lock:
            return Counter(delivery["id"] for delivery in self.accepted)

    def wait_for(self, predicate, timeout: float = 30.0):
        with self.arrived:
            self.arrived.wait_for(lambda: predicate(self), timeout=timeout)
            return predicate(self)

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet in the test output
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = dict(self.headers.items())
                webhook_id = self.headers.get("webhook-id", "")
                with receiver.arrived:
                    receiver.attempts.append(webhook_id)
                    mode = receiver.mode
                if mode == "fail":
                    return self._answer(500, b"receiver down for maintenance")
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                except WebhookVerificationError:
                    with receiver.arrived:
                        receiver.refused_signatures += 1
                    return self._answer(401, b"bad signature")
                with receiver.arrived:
                    receiver.accepted.append(
                        {"id": webhook_id, "headers": headers, "payload": payload, "body": body}
                    )
                    if mode == "stall":
                        receiver.stalled_ids.add(webhook_id)
                    receiver.arrived.notify_all()
                if mode == "stall":
                    time.sleep(receiver.stall_seconds)
                self._answer(204)

            def _answer(self, status: int, body: bytes = b""):
                try:
                    self.send_response(status)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the sender gave up waiting (a stall): nothing to answer

        return Handler


def payload_of(delivery: dict) -> dict:
    return json.loads(delivery["body"])
