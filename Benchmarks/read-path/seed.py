"""Seeds the read-path comparison through the gateway's API (standard library only).

    seed.py API_URL OUT.json

As the superuser FIRST_SUPERUSER: 2 subjects; 120 shot types (12 named
<view_angle>_<framing> that the uploaded archive matches, 108 more with
prompts and margins); 4 media resources from Tests/Fixtures/images; the design
of GET /set-designs/{id} (24 base images, 5 reference images, 2 portraits);
120 small designs for the page of GET /set-designs/ (4 media-linked base
images, a media-linked reference image and a portrait each); and one design
whose ZIP upload a running worker takes to COMPLETED. Run from the repository
root, with a worker running. Writes the ids the routes and pgbench need.
"""

import io
import json
import sys
import time
import urllib.request
import uuid
import zipfile

FIXTURES = "Tests/Fixtures/images"
ANGLES = ["front", "back", "side", "left", "right", "three_quarter_left"]
FRAMINGS = ["full_body", "upper_body"]
ALL_ANGLES = ANGLES + ["three_quarter_right", "top", "bottom", "detail"]
ALL_FRAMINGS = ["full_body", "three_quarter_body", "upper_body", "lower_body", "close_up", "detail"]
MEDIA_FILES = ["baseline_64x48.jpg", "progressive_65x33.jpg", "rgb_33x17.png", "grayscale_20x10.jpg"]
EXTRA_SHOT_TYPES = 108
PAGE_DESIGNS = 120


class API:
    def __init__(self, url):
        self.url = url
        self.token = None

    def call(self, method, path, body=None, form=None, raw=None, content_type=None):
        headers = {"Authorization": "Bearer " + self.token} if self.token else {}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data, headers["Content-Type"] = form.encode(), "application/x-www-form-urlencoded"
        if raw is not None:
            data, headers["Content-Type"] = raw, content_type
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request) as response:
            return json.load(response)

    def upload(self, path, name, content, content_type):
        """POST one file as multipart field `file`."""
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.call("POST", path, raw=body, content_type=f"multipart/form-data; boundary={boundary}")


def fixture(name):
    with open(f"{FIXTURES}/{name}", "rb") as f:
        return f.read()


def shot_types(api):
    """The 12 the archive and the big design use, then the rest of the page."""
    main = [
        api.call("POST", "/shot-types/", {"name": f"{a} {f}", "view_angle": a, "framing": f})["id"]
        for a in ANGLES
        for f in FRAMINGS
    ]
    # Extras use the other angle/framing pairs and a naming convention of their
    # own, so no file name of the archive is ambiguous.
    pairs = [(a, f) for a in ALL_ANGLES for f in ALL_FRAMINGS if not (a in ANGLES and f in FRAMINGS)]
    for i in range(EXTRA_SHOT_TYPES):
        angle, framing = pairs[i % len(pairs)]
        api.call("POST", "/shot-types/", {
            "name": f"Catalog look {i:03d}",
            "view_angle": angle,
            "framing": framing,
            "file_naming_convention": f"catalog_look_{i:03d}",
            "prompt": f"Studio shot {i}, {angle.replace('_', ' ')} view, {framing.replace('_', ' ')}, soft light.",
            "prompt_builder_section": "pose" if i % 2 else None,
            "core_focus": i % 3 == 0,
            "margins": {"top": 0.05 + i % 5 / 100, "bottom": 0.04, "left": 0.1, "right": 0.1},
        })
    return main


def archive():
    """A small real ZIP: 12 images named for the main shot types, a text file, an unmatched image."""
    images = [fixture(name) for name in MEDIA_FILES]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zip_file:
        for i, (angle, framing) in enumerate((a, f) for a in ANGLES for f in FRAMINGS):
            zip_file.writestr(f"look01/{angle}_{framing}.jpg", images[i % len(images)])
        zip_file.writestr("look01/notes.txt", fixture("not_an_image.txt"))
        zip_file.writestr("look01/unknown_pose.jpg", images[0])
    return buffer.getvalue()


def main():
    api = API(sys.argv[1])
    api.token = api.call("POST", "/login/access-token", form="username=bench@example.com&password=bench-password")[
        "access_token"
    ]
    user = api.call("GET", "/users/me")["id"]
    subjects = [api.call("POST", "/subjects/", {"name": f"Subject {i}"})["id"] for i in range(2)]
    main_shot_types = shot_types(api)
    media = [api.upload("/media/", name, fixture(name), "image/png" if name.endswith(".png") else "image/jpeg")["id"] for name in MEDIA_FILES]

    design = api.call("POST", "/set-designs/", {
        "name": "Benchmark design",
        "base_images": [
            {"subject_id": s, "shot_type_id": t, "image": {"media_resource_id": media[0]}}
            for s in subjects
            for t in main_shot_types
        ],
        "reference_images": [
            {"shot_type_id": main_shot_types[i], "label": f"ref {i}", "image": f"https://img.example.com/{i}.jpg"}
            for i in range(5)
        ],
        "subject_portraits": [{"subject_id": s, "image": {"media_resource_id": media[0]}} for s in subjects],
    })
    assert (len(design["base_images"]), len(design["reference_images"]), len(design["subject_portraits"])) == (24, 5, 2)

    for i in range(PAGE_DESIGNS):
        linked = lambda k: {"media_resource_id": media[(i + k) % len(media)]}  # noqa: E731
        api.call("POST", "/set-designs/", {
            "name": f"Look {i:03d}",
            "description": f"Spring collection, look {i}" if i % 2 else None,
            "base_images": [
                {"subject_id": s, "shot_type_id": main_shot_types[(i + k) % len(main_shot_types)], "image": linked(k)}
                for s in subjects
                for k in range(2)
            ],
            "reference_images": [{"shot_type_id": main_shot_types[i % 12], "label": "mood", "image": linked(2)}],
            "subject_portraits": [{"subject_id": subjects[i % 2], "image": linked(3)}],
        })

    upload_design = api.call("POST", "/set-designs/", {"name": "Uploaded looks"})["id"]
    task = api.upload(
        f"/set-designs/{upload_design}/base-images/upload?subject_id={subjects[0]}", "looks.zip", archive(),
        "application/zip",
    )["id"]
    deadline = time.monotonic() + 120
    while (status := api.call("GET", f"/set-designs/upload-tasks/{task}"))["status"] not in ("COMPLETED", "FAILED"):
        if time.monotonic() > deadline:
            sys.exit(f"upload task {task} still {status['status']} after 120 s")
        time.sleep(0.2)
    if status["status"] != "COMPLETED":
        sys.exit(f"upload task {task} FAILED: {status['error_message']}")

    with open(sys.argv[2], "w") as f:
        json.dump({"token": api.token, "user": user, "design": design["id"], "task": task}, f)


if __name__ == "__main__":
    main()
