"""One of everything, created through the API, for the OpenAPI checks.

With a worker running, the seeded uploads complete, so their event streams end
at once. The first, for one subject, keeps two images it cannot place (one
matching no shot type, one matching two): its `result_data` shows every field
of a skipped item, and it can be matched again. The second names its subject
by folder and keeps nothing. Every answer is kept (`Client.exchanges`) for
checks of their shapes and headers. `resumable_upload` creates a resumable
upload (tus 1.0.0) for the checks that need one.
"""
import base64
import io
import json
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
import zlib


class Client:
    def __init__(self, base, token):
        self.base, self.token = base, token
        # (method, path, status, content type, body bytes, {lower-case header name: value}) of every answer.
        self.exchanges = []

    def send(self, method, path, body=None, raw=None, content_type="application/json", token=True, headers=None):
        """Any answer, errors included: (status, {lower-case header name: value}, body bytes).
        `headers` are sent besides Content-Type (none when `content_type` is None) and the token."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = {"Content-Type": content_type} if content_type else {}
        if token:
            sent["Authorization"] = "Bearer " + self.token
        sent.update(headers or {})
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, received, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, received, content = error.code, error.headers, error.read()
        received = {name.lower(): value for name, value in received.items()}
        self.exchanges.append((method, path, status, received.get("content-type", ""), content, received))
        return status, received, content

    def request(self, method, path, body=None, raw=None, content_type="application/json", token=True, headers=None):
        """Any answer, errors included: (status, content type, body bytes)."""
        status, received, content = self.send(method, path, body, raw, content_type, token, headers)
        return status, received.get("content-type", ""), content

    def call(self, method, path, body=None, raw=None, content_type="application/json"):
        """The JSON of a successful answer; anything else stops the run."""
        status, _, data = self.request(method, path, body, raw, content_type)
        if not 200 <= status < 300:
            sys.exit(f"{method} {path} answered {status}: {data[:500]!r}")
        return json.loads(data)


def png(width, height):
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def multipart(filename, content, content_type):
    boundary = "----conformance" + uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def finished(client, task):
    """The task once it has ended; it must end within 30 seconds (a worker must be running)."""
    for _ in range(150):
        answer = client.call("GET", f"/api/v1/set-designs/upload-tasks/{task}")
        if answer["status"] in ("COMPLETED", "FAILED"):
            return answer
        time.sleep(0.2)
    sys.exit(f"upload task {task} did not finish: is a worker running?")


def archive(entries):
    """A ZIP of {entry name: bytes}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zip_file:
        for name, content in entries.items():
            zip_file.writestr(name, content)
    return buffer.getvalue()


def upload(client, set_design, entries, subject=None):
    """The id of the task of a ZIP upload of {entry name: bytes}, for `subject` or by folder."""
    body, content_type = multipart("looks.zip", archive(entries), "application/zip")
    query = f"?subject_id={subject}" if subject else ""
    return client.call("POST", f"/api/v1/set-designs/{set_design}/base-images/upload{query}",
                       raw=body, content_type=content_type)["id"]


# Every tus request but OPTIONS names the protocol's version.
TUS = {"Tus-Resumable": "1.0.0"}


def resumable_upload(client, set_design, length, subject=None, filename=None):
    """The path of a new resumable upload (tus creation) of `length` bytes: its Location's path."""
    headers = dict(TUS, **{"Upload-Length": str(length)})
    if filename:
        headers["Upload-Metadata"] = "filename " + base64.b64encode(filename.encode()).decode()
    query = f"?subject_id={subject}" if subject else ""
    status, received, data = client.send("POST", f"/api/v1/set-designs/{set_design}/base-images/uploads{query}",
                                         content_type=None, headers=headers)
    if status != 201 or "location" not in received:
        sys.exit(f"creating a resumable upload answered {status}: {data[:500]!r}")
    return urllib.parse.urlsplit(received["location"]).path


def seed(client):
    call = client.call
    ids = {}
    body, content_type = multipart("red.png", png(3, 2), "image/png")
    ids["media"] = call("POST", "/api/v1/media", raw=body, content_type=content_type)["id"]
    ids["org"] = call("POST", "/api/v1/organizations", {"name": "Seed org"})["id"]
    ids["subject"] = call("POST", "/api/v1/subjects", {"name": "Seed subject"})["id"]
    ids["shot_type"] = call("POST", "/api/v1/shot-types", {
        "name": "Front full", "view_angle": "front", "framing": "full_body", "public": True, "margins": {"top": 1}})["id"]
    second = call("POST", "/api/v1/shot-types", {"name": "Back close", "view_angle": "back", "framing": "close_up"})["id"]
    # Two shot types with one key: `side_detail.png` matches both, an ambiguous_shot_type.
    for name in ("Side detail A", "Side detail B"):
        call("POST", "/api/v1/shot-types", {"name": name, "view_angle": "side", "framing": "detail"})
    ids["preset"] = call("POST", "/api/v1/background-presets", {"name": "Seed preset", "public": True})["id"]
    ids["guidelines"] = call("POST", "/api/v1/guidelines", {"name": "Seed guidelines", "shot_type_rules": [
        {"rule_kind": "PLACEMENT", "rule_value": "upper_body", "shot_type_ids": [ids["shot_type"], second]}]})["id"]
    ids["rule"] = call("POST", f"/api/v1/guidelines/{ids['guidelines']}/shot-type-rules",
                       {"rule_kind": "CATEGORY", "rule_value": "tops", "shot_type_id": ids["shot_type"]})["id"]
    ids["set_design"] = call("POST", "/api/v1/set-designs", {
        "name": "Seed design", "background_preset_id": ids["preset"],
        "base_images": [
            {"subject_id": ids["subject"], "shot_type_id": ids["shot_type"], "image": {"media_resource_id": ids["media"]}},
            {"subject_id": ids["subject"], "shot_type_id": second, "image": "https://example.com/a.jpg"}],
        "reference_images": [{"shot_type_id": ids["shot_type"], "label": "ref", "image": {"url": "https://example.com/r.jpg"}}],
        "subject_portraits": [{"subject_id": ids["subject"], "image": {"media_resource_id": ids["media"]}}]})["id"]
    # Different sizes: each kept image is media of its own.
    ids["task"] = upload(client, ids["set_design"], {
        "looks/front_full_body.png": png(4, 6), "looks/side_detail.png": png(5, 6), "looks/unknown_pose.png": png(6, 6),
        "notes.txt": b"hello"}, subject=ids["subject"])
    ids["folder_task"] = upload(client, ids["set_design"], {"Seed subject/back_close_up.png": png(7, 6)})
    ids["user"] = call("GET", "/api/v1/users/me")["id"]
    tasks = {key: finished(client, ids[key]) for key in ("task", "folder_task")}
    for key, task in tasks.items():
        if task["status"] != "COMPLETED":
            sys.exit(f"the seeded upload {key} did not complete: {task['error_message']}")
    kept = [item["media_resource_id"] for item in tasks["task"]["result_data"]["skipped"] if "media_resource_id" in item]
    if not kept:
        sys.exit("the seeded upload kept no image it could not place")
    ids["kept_media"] = kept[0]
    return ids
