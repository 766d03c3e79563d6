"""A hand-written delivery of the request emails, for bench/lateness.py: the writes and
the text the product's delivery makes, in plain SQL and plain Python.

Each process takes its share of the queued request emails, fifty at a time (a task's
worth): one SELECT of the values their text names, then per group of ten one UPDATE that
claims them; each mail is written from the same compiled templates with a context of
plain values, its bytes put together directly, sent with smtplib on one connection, and
recorded as sent (with its text) in one UPDATE committed on its own, before the next.
It leaves out what makes the product a product: suppressions and consent, cancelled
requests, the agency's own wording, retries, logs and metrics, texts by SMS, other kinds
of message. So it is a floor: what the same sending costs without them.
"""

import os
import socket
import time
import zoneinfo
from email.utils import formatdate

CHUNK = 50
GROUP = 10


def _statements():
    from django.contrib.auth import get_user_model

    from candidates.models import (
        Application,
        Candidate,
        Client,
        ClientContact,
        Interview,
        Position,
        Recruiter,
    )
    from feedback.models import FeedbackRequest, OutboundMessage

    t = {
        model.__name__: model._meta.db_table
        for model in (
            Application, Candidate, Client, ClientContact, Interview, Position, Recruiter,
            FeedbackRequest, OutboundMessage,
        )
    }  # fmt: skip
    user = get_user_model()._meta.db_table
    select = f"""
        SELECT m.id, m.recipient, m.dedupe_key, r.party, r.token_key, i.starts_at, i.round,
               c.first_name, c.last_name, c.time_zone, p.title, cl.name, hc.name,
               hc.time_zone, u.first_name, u.last_name, u.username, rec.cell_phone,
               rec.office_phone, rec.signature
        FROM {t["OutboundMessage"]} m
        JOIN {t["FeedbackRequest"]} r ON r.id = m.request_id
        JOIN {t["Interview"]} i ON i.id = r.interview_id
        JOIN {t["Application"]} a ON a.id = i.application_id
        JOIN {t["Candidate"]} c ON c.id = a.candidate_id
        JOIN {t["Position"]} p ON p.id = a.position_id
        JOIN {t["Client"]} cl ON cl.id = p.client_id
        LEFT JOIN {t["ClientContact"]} hc ON hc.id = p.hiring_contact_id
        JOIN {t["Recruiter"]} rec
          ON rec.id = CASE WHEN r.party = 'candidate' THEN c.owner_id ELSE p.recruiter_id END
        JOIN {user} u ON u.id = rec.user_id
        WHERE m.id = ANY(%s) AND m.status = 'queued'
    """
    claim = f"""
        UPDATE {t["OutboundMessage"]} SET status = 'sending', claimed_at = now(),
               attempts = attempts + 1
        WHERE id = ANY(%s) AND status = 'queued' AND next_attempt_at <= now()
        RETURNING id, attempts
    """
    record = f"""
        UPDATE {t["OutboundMessage"]} SET status = 'sent', sent_at = now(), last_error = '',
               subject = %s, body_text = %s, body_html = %s
        WHERE id = %s AND attempts = %s AND status = 'sending'
    """
    return select, claim, record


class _Writer:
    """The product's shipped request wording, compiled once, written from plain values."""

    def __init__(self):
        from django.conf import settings
        from django.template import Context
        from django.template.loader import get_template

        from core.formatting import MOMENT_LONG, moment_written
        from feedback import tokens
        from feedback.selectors.portal import _path_around_token
        from feedback.wording.engine import wording_compile
        from feedback.wording.rendering import LAYOUT, shipped_source

        self.context_class, self.moment, self.long = Context, moment_written, MOMENT_LONG
        self.token_make, self.layout = tokens.token_make, get_template(LAYOUT)
        self.parts = {
            party: {
                part: wording_compile(shipped_source(key=f"{party}_request", part=part))
                for part in ("subject", "body_text", "body_html")
            }
            for party in ("candidate", "client")
        }
        # The link's path around its token, as the product reverses it once.
        self.paths = {
            party: _path_around_token(name, "/", settings.ROOT_URLCONF)
            for party, name in (("candidate", "portal:feedback"), ("client", "clients:feedback"))
        }
        self.site = settings.SITE_URL

    def write(self, row) -> tuple[str, str, str]:
        (_, _, _, party, token_key, starts_at, round_, first, last, candidate_zone, title,
         client, contact, contact_zone, r_first, r_last, r_username, cell, office,
         signature) = row  # fmt: skip
        zone = candidate_zone if party == "candidate" else contact_zone
        before, after = self.paths[party]
        recruiter = {
            "full_name": f"{r_first} {r_last}".strip() or r_username,
            "cell_phone": cell,
            "office_phone": office,
            "signature": signature,
        }
        values = {
            "candidate": {"first_name": first, "full_name": f"{first} {last}"},
            "position": {"title": title},
            "client": {"name": client},
            "contact": {"name": contact},
            "interview": {"round": round_},
            "recruiter": recruiter,
            "interview_when": self.moment(starts_at.astimezone(zoneinfo.ZoneInfo(zone)), self.long),
            "link": f"{self.site}{before}{self.token_make(party=party, token_key=token_key)}"
            f"{after}",
        }
        parts = self.parts[party]
        subject = " ".join(parts["subject"].render(self.context_class(values, False)).split())
        text = parts["body_text"].render(self.context_class(values, False))
        inner = parts["body_html"].render(self.context_class(values))
        html = self.layout.render({"content": inner, "recruiter": recruiter})
        return subject, text, html


def _content(row, sender: str, subject: str, text: str, html: str) -> bytes:
    message_id, recipient, dedupe_key = row[0], row[1], row[2]
    from feedback.transports import _boundary

    boundary = _boundary()
    crlf = "\r\n"
    return (
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
        f"MIME-Version: 1.0\r\nSubject: {subject}\r\nFrom: {sender}\r\nTo: {recipient}\r\n"
        f"Date: {formatdate()}\r\nMessage-ID: <outbox-{message_id}-{dedupe_key or 'x'}"
        f"@tvr-feedback>\r\nX-TVR-Handwritten-Id: {message_id}\r\n\r\n"
        f'--{boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{text.replace(chr(10), crlf)}\r\n"
        f'--{boundary}\r\nContent-Type: text/html; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{html.replace(chr(10), crlf)}\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def deliver(port: int, url: str, message_ids: list[int], ready, go, results) -> None:
    """One process: deliver `message_ids` as described above; put its CPU seconds and
    how many it sent on `results`."""
    import smtplib

    import django
    import psycopg

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.conf import settings

    select, claim, record = _statements()
    writer = _Writer()
    sender = settings.DEFAULT_FROM_EMAIL
    envelope_from = smtplib.quoteaddr(sender)
    smtp = smtplib.SMTP("127.0.0.1", port)
    smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    smtp.ehlo()
    sent = 0
    with psycopg.connect(url, autocommit=True) as db:
        ready.set()
        go.wait()
        start = time.process_time()
        for at in range(0, len(message_ids), CHUNK):
            rows = {row[0]: row for row in db.execute(select, [message_ids[at : at + CHUNK]])}
            chunk = [pk for pk in message_ids[at : at + CHUNK] if pk in rows]
            for group_at in range(0, len(chunk), GROUP):
                won = dict(db.execute(claim, [chunk[group_at : group_at + GROUP]]).fetchall())
                for pk in chunk[group_at : group_at + GROUP]:
                    if pk not in won:
                        continue
                    row = rows[pk]
                    subject, text, html = writer.write(row)
                    smtp.sendmail(
                        envelope_from, [row[1]], _content(row, sender, subject, text, html)
                    )
                    db.execute(record, [subject, text, html, pk, won[pk]])
                    sent += 1
        results.put((time.process_time() - start, sent))
    smtp.quit()
