"""One of everything, created through the API, for the OpenAPI checks.

With a worker running, the seeded upload completes, so its event stream ends
at once. Every answer is kept (`Client.exchanges`) for checks of their shapes.
"""
import io
import json
import struct
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
import zlib


class Client:
    def __init__(self, base, token):
        self.base, self.token = base, token
        # (method, path, status, content type, body bytes) of every answer.
        self.exchanges = []

    def request(self, method, path, body=None, raw=None, content_type="application/json", token=True):
        """Any answer, errors included: (status, content type, body bytes)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"Content-Type": content_type}
        if token:
            headers["Authorization"] = "Bearer " + self.token
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = (response.status, response.headers.get("Content-Type", ""), response.read())
        except urllib.error.HTTPError as error:
            answer = (error.code, error.headers.get("Content-Type", ""), error.read())
        self.exchanges.append((method, path) + answer)
        return answer

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
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zip_file:
        zip_file.writestr("looks/front_full_body.png", png(4, 6))
        zip_file.writestr("notes.txt", "hello")
    body, content_type = multipart("looks.zip", archive.getvalue(), "application/zip")
    ids["task"] = call("POST", f"/api/v1/set-designs/{ids['set_design']}/base-images/upload?subject_id={ids['subject']}",
                       raw=body, content_type=content_type)["id"]
    ids["user"] = call("GET", "/api/v1/users/me")["id"]
    for _ in range(150):
        if call("GET", f"/api/v1/set-designs/upload-tasks/{ids['task']}")["status"] in ("COMPLETED", "FAILED"):
            return ids
        time.sleep(0.2)
    sys.exit("the seeded upload did not finish: is a worker running?")
