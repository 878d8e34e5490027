"""Checks the running gateway against its own /openapi.json with schemathesis.

usage: conformance.py BASE_URL TOKEN WORK_DIR

Seeds one of everything through the API first (with a worker running, the
upload completes, so its event stream ends at once), then binds those ids to
the parameters that name them: without existing rows most /{id} routes would
only ever answer 404. Generated values are still used the rest of the time.
Exits with schemathesis' status: 0 when no check failed.
"""
import io
import json
import os
import struct
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
import zlib

BASE, TOKEN, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
# Seeded ids are used this often; generated (mostly unknown or invalid) ones otherwise.
PROBABILITY = 0.6


def call(method, path, body=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        BASE + path, data=data, method=method,
        headers={"Authorization": "Bearer " + TOKEN, "Content-Type": content_type})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


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


def seed():
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


def configuration(ids):
    """schemathesis.toml: the seeded ids as dictionaries, bound per operation."""
    text = "".join(f'[dictionaries.{name}]\nvalues = ["{value}"]\n' for name, value in ids.items())
    bindings = [
        (r"^/api/v1/set-designs/\{id\}", True, {
            "path.id": "set_design", "query.subject_id": "subject", "query.shot_type_id": "shot_type",
            "body.subject_ids[*]": "subject", "body.shot_type_ids[*]": "shot_type", "body.background_preset_id": "preset",
            "body.base_images[*].subject_id": "subject", "body.base_images[*].shot_type_id": "shot_type",
            "body.subject_portraits[*].subject_id": "subject", "body.reference_images[*].shot_type_id": "shot_type"}),
        (r"^/api/v1/set-designs$", True, {
            "body.background_preset_id": "preset",
            "body.base_images[*].subject_id": "subject", "body.base_images[*].shot_type_id": "shot_type",
            "body.subject_portraits[*].subject_id": "subject", "body.reference_images[*].shot_type_id": "shot_type"}),
        (r"^/api/v1/set-designs/upload-tasks/", True, {"path.task_id": "task"}),
        (r"^/api/v1/media/", True, {"path.id": "media"}),
        (r"^/api/v1/shot-types/", True, {"path.id": "shot_type"}),
        (r"^/api/v1/subjects/", True, {"path.id": "subject"}),
        (r"^/api/v1/background-presets/", True, {"path.id": "preset"}),
        (r"^/api/v1/guidelines/\{guidelines_id\}$", True, {
            "path.guidelines_id": "guidelines", "body.shot_type_rules[*].shot_type_ids[*]": "shot_type"}),
        (r"^/api/v1/guidelines/\{guidelines_id\}/", False, {
            "path.guidelines_id": "guidelines", "path.rule_id": "rule", "body.shot_type_id": "shot_type",
            "body.shot_type_ids[*]": "shot_type"}),
        (r"^/api/v1/organizations/\{organization_id\}", False, {"path.organization_id": "org", "body.user_id": "user"}),
    ]
    for regex, keep_rows, parameters in bindings:
        text += f"\n[[operations]]\ninclude-path-regex = '{regex}'\n"
        # Deleting the seeded rows would leave the other operations nothing to reach.
        if keep_rows:
            text += 'exclude-method = "DELETE"\n'
        text += "parameters = { " + ", ".join(
            f'"{name}" = {{ dictionary = "{dictionary}", probability = {PROBABILITY} }}'
            for name, dictionary in parameters.items()) + " }\n"
    return text


def main():
    # schemathesis keeps its example database in the working directory: not in the repository.
    os.chdir(WORK)
    path = os.path.join(WORK, "schemathesis.toml")
    with open(path, "w") as file:
        file.write(configuration(seed()))
    schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    command = [
        schemathesis, "--config-file", path, "run", BASE + "/openapi.json", "--url", BASE,
        "-H", "Authorization: Bearer " + TOKEN,
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                    "response_schema_conformance,response_headers_conformance",
        # Bounded: enough to try every operation with valid and invalid input, fast enough for every run.
        "--max-examples", "25", "--mode", "all", "--generation-allow-x00", "true",
        "--request-timeout", "10", "--seed", "5", "--no-color",
    ]
    sys.exit(subprocess.run(command).returncode)


main()
