#!/usr/bin/env python3
"""The listener under idle connections, as a port scan or a slow-loris client would leave them: run by ../check.sh.

The daemon runs with a soft limit of 1,024 descriptors (systemd's default when a unit sets no LimitNOFILE).
1,100 connections are opened and left silent; /healthz and a valid signed webhook must still answer within
2 s each (they took over 30 s, or never came, before the listener shed idle connections: the descriptors
were gone). A connection that sends half a request head and stops is closed by the idle timeout.
"""
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from harness import failer, free_port, http

mock_binary, daemon_binary, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])
API_KEY, SECRET = "idle-api-key", "whsec-idle"
DOCUMENT = "00000001-1111-4222-8333-444444444444"
IDLE = 1100
DESCRIPTORS = 1024
IDLE_TIMEOUT = 2


fail = failer("idle_connections")


def timed_http(method, url, body=None, timeout=2):
    started = time.time()
    status, _ = http(method, url, body, timeout)
    return status, time.time() - started


# This process needs more descriptors than the daemon gets, to hold all the idle connections.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))

work.mkdir(parents=True, exist_ok=True)
fixtures = work / "fixtures.json"
fixtures.write_text(json.dumps({"credentials": {"apiKeys": [API_KEY]}, "documents": [{"id": DOCUMENT, "signers": [
    {"emailId": "idle@example.com", "order": 1, "files": [{"id": "idle-front", "role": "document", "size": 2000, "seed": 5}]}]}]}))
mock = subprocess.Popen([mock_binary, "--port", "0", "--fixtures", str(fixtures), "--rate-limit", "0"], stdout=subprocess.PIPE, text=True)
mock_url = mock.stdout.readline().strip()
port = free_port()
config = work / "config.json"
config.write_text(json.dumps({"listenPort": port, "archiveDirectory": str(work / "archive"), "databasePath": str(work / "queue.sqlite"),
                              "baseURL": mock_url, "idleTimeoutSeconds": IDLE_TIMEOUT}))
daemon_url = f"http://127.0.0.1:{port}"
log = open(work / "daemon.log", "a")


def start_daemon():
    """The daemon with DESCRIPTORS descriptors, once /healthz answers."""
    process = subprocess.Popen([daemon_binary, "--config", str(config)], stdout=log, stderr=log,
                               env=dict(os.environ, BOLDSIGN_API_KEY=API_KEY, BOLDSIGN_WEBHOOK_SECRET=SECRET),
                               preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, DESCRIPTORS)))
    deadline = time.time() + 60
    while True:
        try:
            if http("GET", daemon_url + "/healthz", timeout=5)[0] == 200:
                return process
        except OSError:
            pass
        if time.time() > deadline or process.poll() is not None:
            fail("the daemon did not start")
        time.sleep(0.1)


daemon = start_daemon()
try:
    # A request head that never completes: closed by the idle timeout (bound: ten times the timeout).
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"POST /webhooks/boldsign HTTP/1.1\r\nHost: x\r\n")
    slow.settimeout(IDLE_TIMEOUT * 10)
    started = time.time()
    try:
        closed = slow.recv(1) == b""
    except (socket.timeout, ConnectionResetError):
        closed = False
    slow.close()
    if not closed:
        fail(f"a half-sent request head was still open after {IDLE_TIMEOUT * 10} s (idle timeout {IDLE_TIMEOUT} s)")
    print(f"idle_connections: a half-sent request head was closed after {time.time() - started:.1f} s")

    # The idle timeout would eventually clear them too; the test must not rely on it, so the connections stay
    # fresh: opened in a burst and then kept silent for less than the timeout.
    config.write_text(json.dumps({**json.loads(config.read_text()), "idleTimeoutSeconds": 600}))
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=30)
    daemon = start_daemon()

    # Opened in batches, so that the listener accepts each as it comes (all at once, most would wait in the
    # kernel's backlog and never reach the descriptor limit).
    idle = []
    for index in range(IDLE):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        idle.append(s)
        if index % 50 == 49:
            time.sleep(0.2)
    time.sleep(1)
    descriptors = len(os.listdir(f"/proc/{daemon.pid}/fd"))
    # Spinning on EMFILE is a whole core (200 ticks in 2 s); idle is about none. The bound sits ten times from each.
    ticks = lambda: sum(int(field) for field in Path(f"/proc/{daemon.pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13])
    before_ticks = ticks()
    time.sleep(2)
    spent = ticks() - before_ticks
    if spent > 20:
        fail(f"the daemon used {spent} CPU ticks in 2 s beside idle connections: it spins")
    status, took = timed_http("GET", daemon_url + "/healthz")
    if status != 200:
        fail(f"/healthz answered {status} beside {IDLE} idle connections")
    delivery = {"url": daemon_url + "/webhooks/boldsign", "secret": SECRET, "eventType": "IdentityVerificationSucceeded",
                "eventId": "evt-idle", "documentId": DOCUMENT, "emailId": "idle@example.com", "order": 1}
    started = time.time()
    answer = json.loads(http("POST", mock_url + "/__admin/webhooks", delivery)[1])
    webhook_took = time.time() - started
    if answer["status"] != 200 or webhook_took > 2:
        fail(f"a valid webhook beside {IDLE} idle connections was answered {answer['status']} after {webhook_took:.1f} s (bound 2 s)")
    if took > 2:
        fail(f"/healthz took {took:.1f} s beside {IDLE} idle connections (bound 2 s)")
    for s in idle:
        s.close()
    print(f"idle_connections: beside {IDLE} idle connections and {DESCRIPTORS} descriptors ({descriptors} open, {spent} CPU ticks "
          f"in 2 s), /healthz took {took:.2f} s and a webhook {webhook_took:.2f} s")
    daemon.send_signal(signal.SIGTERM)
    if daemon.wait(timeout=30) != 0:
        fail("the daemon did not stop cleanly")
finally:
    if daemon.poll() is None:
        daemon.kill()
    mock.send_signal(signal.SIGTERM)
    mock.wait(timeout=10)
    log.close()
