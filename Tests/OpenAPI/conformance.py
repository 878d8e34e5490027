"""Checks the running gateway against its own /openapi.json with schemathesis.

usage: conformance.py BASE_URL TOKEN WORK_DIR

Seeds one of everything through the API first (seeding.py), and a resumable
upload, then binds those ids to the parameters that name them: without
existing rows most /{id} routes would only ever answer 404. Generated values
are still used the rest of the time. The PATCH of a resumable upload is left
out (see NOT_GENERATED); drift.py sends it.
Exits with schemathesis' status: 0 when no check failed.
"""
import os
import subprocess
import sys

from seeding import Client, resumable_upload, seed

BASE, TOKEN, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
# Seeded ids are used this often; generated (mostly unknown or invalid) ones otherwise.
PROBABILITY = 0.6
# Operations schemathesis cannot speak, by operationId, with the reason. A tus
# PATCH's body is application/offset+octet-stream, which schemathesis has no
# serializer for, and it is only meaningful at the offset the server holds
# (HEAD first), which generated requests cannot know.
NOT_GENERATED = {
    "append_set_design_base_images_resumable_upload":
        "application/offset+octet-stream bodies at the server's offset: drift.py sends real ones",
}


def configuration(ids):
    """schemathesis.toml: the seeded ids as dictionaries, bound per operation."""
    text = "".join(f'[dictionaries.{name}]\nvalues = ["{value}"]\n' for name, value in ids.items())
    bindings = [
        (r"^/api/v1/set-designs/\{id\}", True, {
            "path.id": "set_design", "query.subject_id": "subject", "query.shot_type_id": "shot_type",
            "body.subject_ids[*]": "subject", "body.shot_type_ids[*]": "shot_type", "body.background_preset_id": "preset",
            "body.base_images[*].subject_id": "subject", "body.base_images[*].shot_type_id": "shot_type",
            "body.subject_portraits[*].subject_id": "subject", "body.reference_images[*].shot_type_id": "shot_type",
            # assign: an image the seeded upload kept, put in a seeded slot.
            "body.subject_id": "subject", "body.shot_type_id": "shot_type", "body.media_resource_id": "kept_media",
            # HEAD of a resumable upload in progress.
            "path.upload_id": "upload"}),
        (r"^/api/v1/set-designs$", True, {
            "body.background_preset_id": "preset",
            "body.base_images[*].subject_id": "subject", "body.base_images[*].shot_type_id": "shot_type",
            "body.subject_portraits[*].subject_id": "subject", "body.reference_images[*].shot_type_id": "shot_type"}),
        # The seeded task is COMPLETED and kept images: rematching it queues a task each time.
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
    for operation_id, reason in NOT_GENERATED.items():
        text += f"\n# {reason}\n[[operations]]\ninclude-operation-id = '{operation_id}'\nenabled = false\n"
    return text


def main():
    # schemathesis keeps its example database in the working directory: not in the repository.
    os.chdir(WORK)
    path = os.path.join(WORK, "schemathesis.toml")
    client = Client(BASE, TOKEN)
    ids = seed(client)
    # Created, never sent: HEAD answers its offset, and a generated DELETE does not reach it (an unbound id).
    ids["upload"] = resumable_upload(client, ids["set_design"], 1000, subject=ids["subject"]).rsplit("/", 1)[1]
    with open(path, "w") as file:
        file.write(configuration(ids))
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
