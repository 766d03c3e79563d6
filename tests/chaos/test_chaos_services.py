"""Chaos in the services the system leans on: Redis lost, PostgreSQL crash-restarted,
an SMTP server that fails, stalls and bounces. The database must put everything right."""

import math
import re
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import redis
from django.conf import settings
from django_otp.oath import totp

from .conftest import SWEEP_INTERVAL
from .harness import free_port, wait_until
from .scenario_data import ADMIN_TOTP_KEY

INTERVIEWS = 100
# Windows longer than the outages, so that what falls due during one is still due after.
LONG_WINDOWS = {
    "candidate_remind": 10,
    "candidate_deadline": 16,
    "client_remind": 11,
    "client_deadline": 17,
}


def test_redis_lost_without_saving_while_messages_are_queued(scenario):
    world = scenario()
    # A sweep but no worker yet: the asks pile up as tasks in Redis (a few to a task).
    world.processes.sweep_loop("sweep", interval=SWEEP_INTERVAL)
    world.processes.wait_ready()
    world.load(interviews=INTERVIEWS, ends_in=2, **LONG_WINDOWS)
    broker = redis.Redis.from_url(world.redis.url)
    queue = world.env["CELERY_QUEUE"]
    tasks_for_the_asks = math.ceil(2 * INTERVIEWS / settings.FEEDBACK["DELIVERY_CHUNK_SIZE"])
    queued = wait_until(
        "the asks to be queued in Redis",
        lambda: (n := broker.llen(queue)) >= tasks_for_the_asks and n,
        timeout=60,
    )
    run_before = broker.info("server")["run_id"]
    world.redis.shutdown_nosave()
    time.sleep(2 * SWEEP_INTERVAL)  # the sweep keeps running against a dead broker
    world.redis.start()
    # A new server that persists nothing: the queued tasks are gone (the sweep refills the
    # queue from the database within seconds, so counting them here would race it).
    assert broker.info("server")["run_id"] != run_before
    assert broker.config_get("save")["save"] == ""
    assert broker.config_get("appendonly")["appendonly"] == "no"
    world.processes.beat("beat")
    world.processes.worker("worker1")
    world.processes.worker("worker2")
    world.processes.wait_ready("worker1", "worker2")
    recovered_at = time.time()
    caught_up = world.caught_up_after(recovered_at)
    world.wait_settled()
    world.verify(tasks_lost_with_redis=queued, caught_up_seconds=round(caught_up, 1))


def test_postgres_restarted_in_immediate_mode_mid_sweep(scenario):
    world = scenario()
    world.processes.beat("beat")
    world.processes.sweep_loop("sweep", interval=SWEEP_INTERVAL / 4)
    world.processes.worker("worker1")
    world.processes.worker("worker2")
    world.processes.wait_ready()
    world.load(interviews=INTERVIEWS, ends_in=3, **LONG_WINDOWS)
    wait_until(
        "deliveries to be under way",
        lambda: sum(world.smtp.handler.snapshot().values()) >= 50,
        timeout=90,
        interval=0.05,
    )
    world.cluster.restart_immediate()  # a crash: connections cut, no checkpoint
    recovered_at = time.time()
    caught_up = world.caught_up_after(recovered_at)
    world.wait_settled()
    world.verify(caught_up_seconds=round(caught_up, 1))


def test_an_smtp_server_that_fails_stalls_and_bounces(scenario):
    world = scenario(
        temp_fail_rate=0.5,  # half the deliveries get "451 try later" …
        max_temp_failures=3,  # … at most three times per message
        stall_rate=0.05,  # some stall past the client's 2 s timeout (before any data)
        stall_seconds=3,
        bounce_marker="-bounce",  # and ten candidates' addresses do not exist
    )
    web_port = free_port()
    world.env["SITE_URL"] = f"http://127.0.0.1:{web_port}"
    world.processes.beat("beat")
    world.processes.worker("worker1", concurrency=4)
    world.processes.worker("worker2", concurrency=4)
    world.processes.web("web", web_port)
    world.processes.wait_ready()
    world.load(
        interviews=INTERVIEWS, ends_in=3, bounce=10, admin_password="chaos-pw-1", **LONG_WINDOWS
    )
    world.wait_settled(timeout=180)
    report = world.verify()
    assert report["temporary_failures_injected"] > 100
    assert report["permanent_failures"] == 20  # ten candidates: their ask and reminder

    # The recruiter sees the permanent failures in the admin's outbox.
    page = _admin_get(
        world.env["SITE_URL"],
        "/admin/feedback/outboundmessage/?status__exact=failed",
        username="chaos-admin-c",
        password="chaos-pw-1",
    )
    bounced = re.findall(r"c-\d+-bounce@candidates\.example", page)
    assert len(set(bounced)) == 10


def _admin_get(site: str, path: str, *, username: str, password: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    wait_until("the web server", lambda: _answers(opener, site + "/admin/login/"), timeout=60)
    login = opener.open(site + "/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": path}
    ).encode()
    request = urllib.request.Request(site + "/admin/login/", data=data)
    request.add_header("Referer", site + "/admin/login/")
    # The second factor's page (where the login sends staff), with the authenticator's
    # current code.
    verify = opener.open(request)
    page = verify.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    code = f"{totp(bytes.fromhex(ADMIN_TOTP_KEY)):06d}"
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "code": code, "next": path}
    ).encode()
    request = urllib.request.Request(verify.geturl(), data=data)
    request.add_header("Referer", verify.geturl())
    return opener.open(request).read().decode()


def _answers(opener, url: str) -> bool:
    try:
        return opener.open(url, timeout=2).status == 200
    except OSError:
        return False


def test_an_smtp_server_that_cuts_the_connection_after_data(scenario):
    """A fifth of the messages arrive whole and then the server hangs up without a word.
    A server that has not answered "250" has not taken the message (RFC 5321 §4.1.1.4),
    so the sender must send it again; each arrives once in the end."""
    world = scenario(drop_after_data_rate=0.2)
    world.processes.beat("beat")
    world.processes.worker("worker1")
    world.processes.worker("worker2")
    world.processes.wait_ready()
    world.load(interviews=INTERVIEWS, ends_in=3, **LONG_WINDOWS)
    world.wait_settled()
    report = world.verify()
    assert report["dropped_after_data"] > 60
    assert report["statuses"] == {"sent": 600}


def test_redis_restarted_while_a_worker_holds_unacknowledged_tasks(scenario):
    """A slow SMTP server keeps delivery tasks in the worker's hands (acknowledged late,
    so Redis keeps them as unacknowledged) when Redis goes and comes back empty."""
    world = scenario(data_delay=0.05)
    world.processes.beat("beat")
    world.processes.worker("worker1")
    world.processes.wait_ready()
    world.load(interviews=INTERVIEWS, ends_in=3, **LONG_WINDOWS)
    broker = redis.Redis.from_url(world.redis.url)
    held = wait_until(
        "the worker to hold unacknowledged delivery tasks",
        lambda: (
            sum(world.smtp.handler.snapshot().values()) >= 20
            and (n := broker.hlen("unacked")) >= 2
            and n
        ),
        timeout=60,
        interval=0.05,
    )
    world.redis.shutdown_nosave()
    time.sleep(1)
    world.redis.start()
    assert broker.hlen("unacked") == 0  # the new server knows nothing of them
    world.processes.wait_reconnected("worker1")
    recovered_at = time.time()
    caught_up = world.caught_up_after(recovered_at)
    world.wait_settled()
    world.verify(unacknowledged_at_restart=held, caught_up_seconds=round(caught_up, 1))
