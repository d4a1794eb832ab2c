#!/usr/bin/env python3
"""End to end, as in production but on loopback: boldsign-mock plays BoldSign (the API, and the webhook
sender), the daemon archives. Run by ../check.sh.

50 signed webhooks: 41 valid (one for a signer with no images), 4 redeliveries, 1 valid one for a signer
BoldSign does not know (a job that fails for good), 2 with a forged signature, 1 stale, 1 with a malformed
header. The daemon is killed with SIGKILL halfway through the downloads and
started again; every valid signer's images must then be in the archive, byte-exact and 0600, with no image
downloaded twice, and the refused webhooks must have changed nothing. Then SIGTERM with transfers in
flight: the daemon must stop within its drain bound, and finish the rest when started again.
"""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

mock_binary, daemon_binary, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])
API_KEY, SECRET = "e2e-api-key", "whsec-e2e-daemon"
DOCUMENTS = [f"{index:08x}-1111-4222-8333-444444444444" for index in range(1, 10)]
DRAIN_SECONDS = 6


def fail(message):
    sys.exit(f"end_to_end: FAILED: {message}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None):
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until(what, predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    fail(f"timed out waiting for {what}")


# --- Fixtures: 9 documents × 5 signers with a document photo and a selfie each, slowed down so that the
# kill lands halfway; one more signer with no images.
signers = []
documents = []
for d, document in enumerate(DOCUMENTS):
    entries = []
    for order in range(1, 6):
        email = f"signer{d}-{order}@example.com"
        files = [{"id": f"{d}-{order}-{role}", "role": role, "format": "jpeg" if role == "document" else "png",
                  "size": 40_000 + 997 * (d * 5 + order), "seed": d * 100 + order * 2 + (role == "selfie"),
                  "fault": {"latencyMilliseconds": 150}} for role in ("document", "selfie")]
        entries.append({"emailId": email, "order": order, "files": files})
        signers.append((document, email, order, [f["id"] for f in files]))
    if d == 0:
        entries.append({"emailId": "no-images@example.com", "order": 6, "files": []})
    documents.append({"id": document, "signers": entries})
# Two slow signers for the SIGTERM drain: their images come after 10 s, longer than the drain bound.
slow = []
for order in (7, 8):
    files = [{"id": f"slow-{order}", "role": "document", "size": 30_000, "seed": 900 + order, "fault": {"latencyMilliseconds": 10000}}]
    documents[1]["signers"].append({"emailId": f"slow{order}@example.com", "order": order, "files": files})
    slow.append((DOCUMENTS[1], f"slow{order}@example.com", order, [files[0]["id"]]))
work.mkdir(parents=True, exist_ok=True)
fixtures = work / "fixtures.json"
fixtures.write_text(json.dumps({"credentials": {"apiKeys": [API_KEY]}, "documents": documents}))

mock = subprocess.Popen([mock_binary, "--port", "0", "--fixtures", str(fixtures), "--rate-limit", "0"], stdout=subprocess.PIPE, text=True)
mock_url = mock.stdout.readline().strip()
if not mock_url.startswith("http://"):
    fail(f"the mock did not start: {mock_url!r}")

port = free_port()
archive, database = work / "archive", work / "queue.sqlite"
config = work / "config.json"
config.write_text(json.dumps({"listenPort": port, "archiveDirectory": str(archive), "databasePath": str(database),
                              "baseURL": mock_url, "concurrency": 4, "jobTimeoutSeconds": 60, "drainSeconds": DRAIN_SECONDS}))
daemon_url = f"http://127.0.0.1:{port}"
environment = dict(os.environ, BOLDSIGN_API_KEY=API_KEY, BOLDSIGN_WEBHOOK_SECRET=SECRET, LOG_LEVEL="info")
log = open(work / "daemon.log", "a")


def start_daemon():
    process = subprocess.Popen([daemon_binary, "--config", str(config)], env=environment, stdout=log, stderr=log)
    wait_until("/healthz", lambda: healthy(process))
    return process


def healthy(process):
    if process.poll() is not None:
        fail(f"the daemon exited with {process.returncode}; see {work / 'daemon.log'}")
    try:
        return http("GET", daemon_url + "/healthz")[0] == 200
    except OSError:
        return False


def send(document, email, order, event_id, **extra):
    delivery = {"url": daemon_url + "/webhooks/boldsign", "secret": SECRET, "eventType": "IdentityVerificationSucceeded",
                "eventId": event_id, "documentId": document, "emailId": email, "order": order, **extra}
    status, body = http("POST", mock_url + "/__admin/webhooks", delivery)
    if status != 200:
        fail(f"the mock could not deliver a webhook: {status} {body!r}")
    return json.loads(body)["status"]


def stats():
    return json.loads(http("GET", mock_url + "/__admin/stats")[1])


def metric(name):
    text = http("GET", daemon_url + "/metrics")[1].decode()
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name) and not line.startswith("#"))


def archived(document, order, file_ids):
    directory = archive / document / f"signer-{order}"
    return directory.is_dir() and len([p for p in directory.iterdir() if not p.name.startswith(".")]) == len(file_ids)


daemon = start_daemon()
valid, refused = signers[:40], signers[40:44]
statuses = []
for index, (document, email, order, _) in enumerate(valid):
    statuses.append(send(document, email, order, f"evt-{index}"))
statuses.append(send(DOCUMENTS[0], "no-images@example.com", 6, "evt-no-images"))
for index in range(4):  # BoldSign redelivers: same event id
    document, email, order, _ = valid[index * 7]
    statuses.append(send(document, email, order, f"evt-{index * 7}"))
statuses.append(send(DOCUMENTS[2], "stranger@example.com", 9, "evt-unknown-signer"))
forged = [send(*refused[0][:3], "evt-forged-1", signatureOverride=f"t={int(time.time())}, s0={'ab' * 32}"),
          send(*refused[1][:3], "evt-forged-2", secret="whsec-not-ours"),
          send(*refused[2][:3], "evt-stale", signedAt=int(time.time()) - 3600),
          send(*refused[3][:3], "evt-malformed", signatureOverride="s0=nothing")]
if statuses != [200] * 46:
    fail(f"valid webhooks were answered {statuses}")
if forged != [401, 401, 401, 400]:
    fail(f"forged, stale and malformed webhooks were answered {forged}, expected [401, 401, 401, 400]")
if metric("idv_daemon_webhooks_total") != 50 or metric('idv_daemon_webhooks_total{result="duplicate"}') != 4 \
        or metric('idv_daemon_webhooks_total{result="refused"}') != 4:
    fail("/metrics does not count the 50 webhooks, 4 duplicates and 4 refusals")
if metric("idv_daemon_queue_depth") <= 0:
    fail("/metrics shows no queue depth while work waits")

# Halfway: kill it without warning.
wait_until("half the downloads", lambda: stats()["imagesServed"] >= 40, seconds=120)
daemon.send_signal(signal.SIGKILL)
daemon.wait()
served_at_kill = stats()["imageRequests"]
daemon = start_daemon()
wait_until("every valid signer archived", lambda: all(archived(d, o, f) for d, _, o, f in valid), seconds=180)
wait_until("an empty queue", lambda: metric("idv_daemon_queue_depth") == 0, seconds=30)
if metric("idv_daemon_images_downloaded_total") <= 0 or metric('idv_daemon_job_failures_total{kind="permanent"}') != 1:
    fail("/metrics does not count the downloads after the restart and the unknown signer's failed job")
with sqlite3.connect(database) as db:
    states = dict(db.execute("SELECT eventId, state FROM job").fetchall())
    no_images = db.execute("SELECT images FROM job WHERE eventId = 'evt-no-images'").fetchone()
if len(states) != 42 or states.pop("evt-unknown-signer") != "failed" or set(states.values()) != {"done"} or no_images != (0,):
    fail(f"the queue should hold 41 done jobs (one with no image) and the unknown signer's failed one: {states}")

for document, _, order, file_ids in valid:
    for path in (archive / document / f"signer-{order}").iterdir():
        if path.name.startswith("."):
            fail(f"a temporary file was left: {path}")
        if path.stat().st_mode & 0o777 != 0o600:
            fail(f"{path} is not 0600")
    for file_id in file_ids:
        expected = subprocess.run([mock_binary, "generate", "--fixtures", str(fixtures), "--file-id", file_id],
                                  capture_output=True, check=True).stdout
        matches = [p for p in (archive / document / f"signer-{order}").iterdir() if p.read_bytes() == expected]
        if len(matches) != 1:
            fail(f"image {file_id} is not in the archive byte for byte")
for document, _, order, _ in refused:
    if (archive / document / f"signer-{order}").exists():
        fail("a refused webhook led to a download")
if (archive / DOCUMENTS[2] / "signer-9").exists():
    fail("the failed job left a directory behind")
requests = stats()["imageRequests"]
if requests > 80 + 8:  # every image once, plus at most the transfers the kill cut short
    fail(f"{requests} image requests for 80 images ({served_at_kill} before the kill): images were downloaded again")
print(f"end_to_end: 50 webhooks, SIGKILL halfway, restart: 80 images archived with {requests} image requests")

# SIGTERM with transfers in flight: stops within the drain bound; the next start finishes the rest.
for index, (document, email, order, _) in enumerate(slow):
    if send(document, email, order, f"evt-slow-{index}") != 200:
        fail("a slow signer's webhook was refused")
wait_until("the slow transfers to start", lambda: stats()["imageRequests"] >= requests + 2, seconds=30)
started = time.time()
daemon.send_signal(signal.SIGTERM)
code = daemon.wait(timeout=DRAIN_SECONDS + 15)
took = time.time() - started
if code != 0 or took > DRAIN_SECONDS + 5:
    fail(f"SIGTERM: exit {code} after {took:.1f} s (drain bound {DRAIN_SECONDS} s)")
if any(archived(d, o, f) for d, _, o, f in slow):
    fail("the slow transfers finished before the drain bound; the test no longer cuts them short")
for document, _, order, _ in slow:
    leftovers = [p for p in (archive / document / f"signer-{order}").glob("*") if p.name.startswith(".")]
    if leftovers:
        fail(f"SIGTERM left temporary files: {leftovers}")
daemon = start_daemon()
wait_until("the slow signers archived", lambda: all(archived(d, o, f) for d, _, o, f in slow), seconds=60)
daemon.send_signal(signal.SIGTERM)
daemon.wait(timeout=DRAIN_SECONDS + 15)
mock.send_signal(signal.SIGTERM)
mock.wait(timeout=10)
log.close()
for line in (work / "daemon.log").read_text().splitlines():
    if API_KEY in line or SECRET in line or "@example.com" in line:
        fail(f"a log line carries a secret or an email: {line}")
print(f"end_to_end: SIGTERM with transfers in flight stopped in {took:.1f} s (bound {DRAIN_SECONDS} s); the restart archived them")
