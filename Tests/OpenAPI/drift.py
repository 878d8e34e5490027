"""Holds the OpenAPI document and the running gateway together, field by field.

usage: drift.py BASE_URL TOKEN SUPERUSER_EMAIL SUPERUSER_PASSWORD

The document is a file written by hand beside the code that validates requests
and builds responses; schemathesis checks values against it but lets an answer
carry a field the document does not name. This check does not:

- answers: every documented operation is called with seeded rows and every
  JSON answer (and every progress event) is walked against the document's
  schema for its route and status. An object may hold no field its schema does
  not name and must hold every required one; every documented field must turn
  up in some answer; every documented success answer must be seen. Headers
  alike: every required response header must be there, every value must
  satisfy its schema, no tus protocol header (Tus-*, Upload-*) may be
  undocumented, and every documented header of a success answer must turn up.
- requests: every validated field of every JSON body, and every bounded query
  parameter, is sent at and just past each documented limit (maxLength,
  minLength, enum, minimum, maximum), and past where the document sets none; the
  gateway's 422 must start exactly where the document says (with the bound in
  `ctx`); a list is sent past its maxItems, and its items probed like fields.
  An empty object must be answered with exactly the document's `required`
  fields as `missing`.
- the upload workflow: match previews, rematching the seeded upload's kept
  images (202, and 409 for a task that kept none) and assigning one of them
  answer as documented, and their 422s start where the document says.
- resumable uploads (tus 1.0.0): discovery (OPTIONS), a creation (201), HEAD
  before and after, a real ZIP sent in two PATCHes (the first with a
  checksum) whose last queues a task that completes (204 with Upload-Task-Id),
  a PATCH at a wrong offset (409 naming the server's), a request without
  Tus-Resumable (412), and the termination (204) of another upload.

Exits 1 listing every difference, 0 when there is none.
"""
import base64
import hashlib
import json
import re
import sys
import urllib.parse
import uuid

sys.dont_write_bytecode = True
from seeding import TUS, Client, archive, finished, png, resumable_upload, seed  # noqa: E402

BASE, TOKEN, EMAIL, PASSWORD = sys.argv[1:5]
METHODS = ("get", "put", "post", "delete", "patch")
# Longer than any documented limit, short enough for every body limit.
UNBOUNDED_LENGTH = 25_000

problems = []


def problem(text):
    if text not in problems:
        problems.append(text)


# MARK: the document

client = Client(BASE, TOKEN)
status, _, raw = client.request("GET", "/openapi.json", token=False)
document = json.loads(raw)
schemas = document["components"]["schemas"]


def resolve(node):
    """The node behind any $ref, and the component's name when there was one."""
    name = None
    while isinstance(node, dict) and "$ref" in node:
        kind, key = node["$ref"].split("/")[-2:]
        name = key if kind == "schemas" else name
        node = document["components"][kind][key]
    return node, name


def types_of(schema):
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else ({kind} if kind else set())


def operation_for(method, path):
    """(template, operation) of the documented route that serves `path`."""
    path = path.split("?")[0]
    for template, operations in document["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if method.lower() in operations and re.match(pattern, path):
            return template, operations[method.lower()]
    return None, None


# MARK: answers against the document

declared = {}  # schema id -> its documented properties
present = {}  # schema id -> the properties seen in answers


def walk(value, schema, where, schema_id, found, record=True):
    """Appends to `found` every way `value` differs from `schema`; `record` notes the fields seen."""
    schema, name = resolve(schema)
    schema_id = name or schema_id
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        attempts = []
        for alternative in alternatives:
            attempt = []
            walk(value, alternative, where, schema_id, attempt, record=False)
            if not attempt:
                return walk(value, alternative, where, schema_id, found, record)
            attempts.append(attempt)
        found.extend(min(attempts, key=len))
        return
    kinds = types_of(schema)
    if value is None:
        if kinds and "null" not in kinds:
            found.append(f"{where}: null, documented as {sorted(kinds)}")
        return
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} is not one of the documented {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        found.append(f"{where}: {value!r} is not the documented {schema['const']!r}")
    python_kinds = {"object": dict, "array": list, "string": str, "boolean": bool}
    if isinstance(value, bool):
        matches = "boolean" in kinds
    elif isinstance(value, int):
        matches = bool(kinds & {"integer", "number"})
    elif isinstance(value, float):
        matches = "number" in kinds
    else:
        matches = any(isinstance(value, python_kinds[kind]) for kind in kinds if kind in python_kinds)
    if kinds and not matches:
        found.append(f"{where}: {type(value).__name__}, documented as {sorted(kinds)}")
        return
    if isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        if record:
            declared.setdefault(schema_id, set(properties))
        for key in sorted(set(value) - set(properties)):
            found.append(f"{where}: field {key!r} is not in the document's {schema_id}")
        for key in sorted(set(schema.get("required", [])) - set(value)):
            found.append(f"{where}: required field {key!r} of {schema_id} is missing")
        for key in set(value) & set(properties):
            if record:
                present.setdefault(schema_id, set()).add(key)
            walk(value[key], properties[key], f"{where}.{key}", f"{schema_id}.{key}", found, record)
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            walk(item, schema["items"], f"{where}[]", f"{schema_id}[]", found, record)


def events(body):
    """The server-sent events of a stream, each as {field: value}."""
    for block in body.decode().split("\n\n"):
        fields = {}
        for line in block.split("\n"):
            if line and not line.startswith(":"):
                key, _, text = line.partition(":")
                fields[key] = text[1:] if text.startswith(" ") else text
        if fields:
            yield fields


def header_value_problems(value, schema):
    """How a header's value differs from its schema (integer, const, pattern, uuid and uri formats)."""
    schema, _ = resolve(schema)
    found = []
    if "integer" in types_of(schema):
        if not re.fullmatch(r"-?[0-9]+", value):
            return [f"{value!r} is not an integer"]
        for bound, beyond in (("minimum", lambda limit: int(value) < limit), ("maximum", lambda limit: int(value) > limit)):
            if bound in schema and beyond(schema[bound]):
                found.append(f"{value} is past the documented {bound} {schema[bound]}")
    if "const" in schema and value != str(schema["const"]):
        found.append(f"{value!r} is not the documented {schema['const']!r}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{value!r} does not match the documented pattern {schema['pattern']!r}")
    if schema.get("format") == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            found.append(f"{value!r} is not a uuid")
    if schema.get("format") == "uri" and not urllib.parse.urlsplit(value).netloc:
        found.append(f"{value!r} is not an absolute URI")
    return found


def check_headers(where, response, headers, seen_headers):
    """Every required header of the documented `response` is in `headers`, each
    documented one satisfies its schema, and no tus header is undocumented;
    adds the documented headers present to `seen_headers`."""
    documented = {name.lower(): resolve(header)[0] for name, header in response.get("headers", {}).items()}
    for name, header in documented.items():
        if name not in headers:
            if header.get("required"):
                problem(f"{where}: required header {name!r} is missing")
            continue
        seen_headers.add(name)
        for text in header_value_problems(headers[name], header.get("schema", {})):
            problem(f"{where}: header {name!r}: {text}")
    for name in headers:
        if name.startswith(("tus-", "upload-")) and name not in documented:
            problem(f"{where}: header {name!r} is not in the document")


def check_answers(exchanges):
    seen = set()
    seen_headers = {}  # (method, template, status) -> the documented headers seen in its answers
    for method, path, status, content_type, body, headers in exchanges:
        template, operation = operation_for(method, path)
        if operation is None:
            problem(f"{method} {path}: no documented route")
            continue
        responses = operation["responses"]
        response = responses.get(str(status)) or responses.get("default")
        if response is None:
            problem(f"{method} {template}: {status} is not documented")
            continue
        response, _ = resolve(response)
        where = f"{method} {template} {status}"
        check_headers(where, response, headers, seen_headers.setdefault((method, template, str(status)), set()))
        media_type = content_type.split(";")[0].strip()
        content = {key.split(";")[0].strip(): value for key, value in response.get("content", {}).items()}
        if not content or method == "HEAD":
            # An answer the document gives no body (a HEAD never has one): it must have none.
            if body:
                problem(f"{where}: a body of {len(body)} bytes, where the document has none")
            seen.add((method, template, str(status), None))
            continue
        if media_type not in content:
            problem(f"{method} {template} {status}: {media_type} is not documented")
            continue
        seen.add((method, template, str(status), media_type))
        schema = content[media_type].get("schema", {})
        found = []
        if media_type == "application/json":
            walk(json.loads(body), schema, where, where, found)
        elif media_type == "text/event-stream":
            event_schema, _ = resolve(schema)
            for event in events(body):
                walk(event, event_schema, f"{where} event", where, found)
                if "data" in event:
                    data_schema = event_schema["properties"]["data"]["contentSchema"]
                    walk(json.loads(event["data"]), data_schema, f"{where} event data", where, found)
        for text in found:
            problem(text)
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                response, _ = resolve(response)
                key = (method.upper(), template, status)
                if status.startswith("2") and not response.get("content") and key + (None,) not in seen:
                    problem(f"{method.upper()} {template} {status} without a body: never answered, not checked")
                if status.startswith("2") and key in seen_headers:
                    for name in response.get("headers", {}):
                        if name.lower() not in seen_headers[key]:
                            problem(f"{method.upper()} {template} {status}: documented header {name!r} is in no answer")
                for media_type in response.get("content", {}):
                    media_type = media_type.split(";")[0].strip()
                    if (status.startswith("2") and media_type in ("application/json", "text/event-stream")
                            and (method.upper(), template, status, media_type) not in seen):
                        problem(f"{method.upper()} {template} {status} {media_type}: never answered, not checked")
    for schema_id, properties in sorted(declared.items()):
        for key in sorted(properties - present.get(schema_id, set())):
            problem(f"{schema_id}: documented field {key!r} is in no answer")


# MARK: requests against the document

def string_of(length, schema):
    """A valid value of `length` characters for a string field."""
    if schema.get("format") == "email":
        local = "a" * min(64, length - 6)
        body = length - len(local) - 1 - len(".com")
        labels, last = divmod(body - 1, 63)
        return local + "@" + ("b" * 62 + ".") * labels + "b" * (last + 1) + ".com"
    return "a" * length


def errors_of(method, path, body=None, query=None):
    if query:
        path += "?" + urllib.parse.urlencode(query)
    status, _, data = client.request(method, path, body=body)
    if status != 422:
        return []
    return json.loads(data)["detail"]


def at(errors, loc):
    return [error for error in errors if error["loc"][:len(loc)] == loc]


def expect_error(where, errors, loc, kind, ctx=None):
    """An error of `kind` at `loc`, with exactly `ctx` unless it is None."""
    matching = [error for error in at(errors, loc) if error["type"] == kind and ctx in (None, error.get("ctx", {}))]
    if not matching:
        problem(f"{where}: expected {kind} {ctx or ''} at {loc}, got {at(errors, loc) or 'no error there'}")


def expect_none(where, errors, loc, kinds=None):
    wrong = [error for error in at(errors, loc) if kinds is None or error["type"] in kinds]
    if wrong:
        problem(f"{where}: expected no error at {loc}, got {wrong}")


def probe_value(where, send, loc, schema):
    """The limits of one field or query parameter: `send(value)` answers the request's errors."""
    schema, _ = resolve(schema)
    alternatives = [resolve(item)[0] for item in schema.get("anyOf", []) if resolve(item)[0].get("type") != "null"]
    if len(alternatives) > 1:
        # A union: the gateway reports the failing branch below `loc`; only where the error starts is compared.
        for alternative in alternatives:
            if "string" in types_of(alternative) and "maxLength" in alternative:
                limit = alternative["maxLength"]
                if not at(send("a" * (limit + 1)), loc):
                    problem(f"{where}: {limit + 1} characters accepted past the documented maxLength {limit}")
                expect_none(f"{where} at maxLength", send("a" * limit), loc)
        return
    if alternatives:
        schema = alternatives[0]
    kinds = types_of(schema)
    if "enum" in schema:
        errors = send("not-a-documented-value")
        listed = [error for error in at(errors, loc) if error["type"] == "enum"]
        expected = set(re.findall(r"'([^']*)'", listed[0].get("ctx", {}).get("expected", ""))) if listed else None
        if expected != set(schema["enum"]):
            problem(f"{where}: the gateway's values {expected} differ from the documented enum {schema['enum']}")
        for member in schema["enum"]:
            expect_none(f"{where} = {member!r}", send(member), loc)
    elif "string" in kinds and schema.get("format") not in ("uuid", "password"):
        if "maxLength" in schema:
            limit = schema["maxLength"]
            past = send(string_of(limit + 1, schema))
            if "format" in schema:
                # A formatted string (email) too long is refused by its format's own check, in its words.
                if not at(past, loc):
                    problem(f"{where}: {limit + 1} characters accepted past the documented maxLength {limit}")
            else:
                expect_error(f"{where} past maxLength", past, loc, "string_too_long", {"max_length": limit})
            expect_none(f"{where} at maxLength", send(string_of(limit, schema)), loc)
        elif "format" not in schema and "pattern" not in schema:
            expect_none(f"{where} with no documented maxLength", send("a" * UNBOUNDED_LENGTH), loc)
        if schema.get("minLength", 0) > 0:
            limit = schema["minLength"]
            expect_error(f"{where} under minLength", send(string_of(limit - 1, schema) if limit > 1 else ""), loc,
                         "string_too_short", {"min_length": limit})
            expect_none(f"{where} at minLength", send(string_of(limit, schema)), loc)
        elif "format" not in schema and "pattern" not in schema:
            expect_none(f"{where} empty, with no documented minLength", send(""), loc)
    elif "array" in kinds:
        items, _ = resolve(schema.get("items", {}))
        if "maxItems" in schema:
            limit = schema["maxItems"]
            item = str(uuid.uuid4()) if items.get("format") == "uuid" else "a"
            past = [error for error in send([item] * (limit + 1)) if error["loc"] == loc]
            if not [error for error in past if error["type"] == "too_long" and error.get("ctx", {}).get("max_length") == limit]:
                problem(f"{where} past maxItems: expected too_long {{'max_length': {limit}}} at {loc}, got {past or 'no error there'}")
            expect_none(f"{where} at maxItems", send([item] * limit), loc, ["too_long"])
        probe_value(f"{where}[0]", lambda value: send([value]), loc + [0], items)
    elif "integer" in kinds:
        for bound, step, kind, key in (("minimum", -1, "greater_than_equal", "ge"), ("maximum", 1, "less_than_equal", "le")):
            if bound in schema:
                limit = schema[bound]
                expect_error(f"{where} past {bound}", send(limit + step), loc, kind, {key: limit})
                expect_none(f"{where} at {bound}", send(limit), loc)
            else:
                expect_none(f"{where} with no documented {bound}", send(step * 2**40), loc, [kind])


def probe_object(where, send, loc, schema):
    """Every field of an object schema, `send(object)` answering the errors of a request carrying it."""
    schema, name = resolve(schema)
    properties = schema.get("properties", {})
    missing = {error["loc"][len(loc)] for error in send({}) if error["type"] == "missing" and len(error["loc"]) == len(loc) + 1
               and error["loc"][:len(loc)] == loc}
    if missing != set(schema.get("required", [])):
        problem(f"{where} ({name}): the gateway requires {sorted(missing)}, the document {sorted(schema.get('required', []))}")
    for key, field in properties.items():
        field_schema, _ = resolve(field)
        field_where, field_loc = f"{where}.{key}", loc + [key]
        if "array" in types_of(field_schema) and "properties" in resolve(field_schema.get("items", {}))[0]:
            probe_object(f"{field_where}[0]", lambda value, key=key: send({key: [value]}), field_loc + [0],
                         field_schema["items"])
        else:
            probe_value(field_where, lambda value, key=key: send({key: value}), field_loc, field)


def probe_requests(ids):
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS or method == "delete":
                continue
            path = concrete(template, ids)
            where = f"{method.upper()} {template}"
            for parameter in operation.get("parameters", []):
                parameter, _ = resolve(parameter)
                if parameter["in"] == "query" and "integer" in types_of(parameter.get("schema", {})):
                    name = parameter["name"]
                    probe_value(f"{where} ?{name}", lambda value, name=name: errors_of(method.upper(), path, query={name: value}),
                                ["query", name], parameter["schema"])
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                probe_object(where, lambda value: errors_of(method.upper(), path, body=value), ["body"],
                             content["application/json"]["schema"])


# MARK: calls

def concrete(template, ids):
    """The template with the seeded row each parameter names."""
    by_prefix = {"set-designs": "set_design", "shot-types": "shot_type", "subjects": "subject",
                 "background-presets": "preset", "media": "media"}
    names = {"guidelines_id": "guidelines", "rule_id": "rule", "organization_id": "org", "user_id": "user",
             "task_id": "task", "upload_id": "upload", "asset": None}

    def value(match):
        name = match.group(1)
        if name == "asset":
            return "swagger-ui.css"
        if name == "id":
            return ids[by_prefix[template.split("/")[3]]]
        return ids[names[name]]
    return re.sub(r"\{([^}]+)\}", value, template)


def call_every_operation(ids):
    """One successful call of every documented operation (deletes last, on rows of their own)."""
    call = client.call
    subject, shot_type = ids["subject"], ids["shot_type"]
    client.request("POST", "/api/v1/login/access-token", token=False,
                                  raw=urllib.parse.urlencode({"username": EMAIL, "password": PASSWORD}).encode(),
                                  content_type="application/x-www-form-urlencoded")
    for template, operations in document["paths"].items():
        if "get" in operations and template != "/api/v1/media/{id}/content":
            path = concrete(template, ids)
            if template.endswith("/base-image"):
                path += f"?subject_id={subject}&shot_type_id={shot_type}"
            elif template.endswith("/upload-task"):
                path += f"?subject_id={subject}"
            client.request("GET", path, token=not template.startswith("/docs"))
            if template.endswith("/upload-task"):
                client.request("GET", concrete(template, ids))
    member = call("POST", "/api/v1/users", {"email": f"member-{uuid.uuid4().hex}@example.com", "password": "member-password"})["id"]
    call("POST", f"/api/v1/organizations/{ids['org']}/members", {"user_id": member, "role": "member"})
    call("PUT", f"/api/v1/shot-types/{shot_type}", {"name": "Front full, renamed"})
    call("PUT", f"/api/v1/subjects/{subject}", {"description": "seeded"})
    call("PUT", f"/api/v1/background-presets/{ids['preset']}", {"description": "seeded"})
    call("PUT", f"/api/v1/guidelines/{ids['guidelines']}", {"description": "seeded"})
    call("PUT", f"/api/v1/guidelines/{ids['guidelines']}/shot-type-rules/bulk-replace",
         {"rule_kind": "CATEGORY", "rule_value": "shoes", "shot_type_ids": [shot_type]})
    call("PUT", f"/api/v1/set-designs/{ids['set_design']}", {"description": "seeded"})
    call("POST", f"/api/v1/set-designs/{ids['set_design']}/request-completion",
         {"subject_ids": [subject], "shot_type_ids": []})
    return member


def call_upload_workflow(ids):
    """Preview, rematch and assign (CONTRACT §11) on the seeded design and its uploads."""
    call, design, subject = client.call, ids["set_design"], ids["subject"]
    preview = f"/api/v1/set-designs/{design}/base-images/match-preview"
    # For one subject: a match, an ambiguous name, a duplicate, no match, an ignored entry.
    call("POST", f"{preview}?subject_id={subject}", {"files": [
        "looks/front_full_body.png", "looks/side_detail.png", "more/front_full_body.jpg", "unknown_pose.png",
        "__MACOSX/looks/._front_full_body.png"]})
    # By folder: a folder naming the seeded subject, and a name at the top level that names none.
    call("POST", preview, {"files": ["Seed subject/back_close_up.png", "back_close_up.png"]})
    where = "POST /api/v1/set-designs/{id}/base-images/match-preview"
    errors = errors_of("POST", preview, {"files": []}, query={"subject_id": str(uuid.uuid4())})
    expect_error(f"{where} with an unknown subject", errors, ["query", "subject_id"], "value_error")
    # 513 characters, 1026 UTF-8 bytes: names are bounded in characters only (a CP437 name grows in UTF-8).
    expect_none(f"{where} with a name of 513 characters, 1026 bytes", errors_of("POST", preview, {"files": ["é" * 513]}),
                ["body", "files", 0])

    rematch = call("POST", f"/api/v1/set-designs/upload-tasks/{ids['task']}/rematch")
    status, _, body = client.request("POST", f"/api/v1/set-designs/upload-tasks/{ids['folder_task']}/rematch")
    if status != 409:
        problem(f"POST /api/v1/set-designs/upload-tasks/{{task_id}}/rematch of a task that kept no image: "
                f"{status} {body[:300]!r}, not 409")

    assign = f"/api/v1/set-designs/{design}/base-images/assign"
    call("POST", assign, {"subject_id": subject, "shot_type_id": ids["shot_type"], "media_resource_id": ids["kept_media"]})
    unknown = {key: str(uuid.uuid4()) for key in ("subject_id", "shot_type_id", "media_resource_id")}
    errors = errors_of("POST", assign, unknown)
    for key in unknown:
        expect_error(f"POST /api/v1/set-designs/{{id}}/base-images/assign with an unknown {key}", errors, ["body", key],
                     "value_error")
    # The rematch task's answers, as the worker ends it, are checked too.
    ended = finished(client, rematch["id"])
    if ended["status"] != "COMPLETED" or ended.get("rematch_of") != ids["task"]:
        problem(f"the rematch of the seeded upload ended {ended['status']} ({ended['error_message']}), "
                f"rematch_of {ended.get('rematch_of')}")


def call_resumable_uploads(ids):
    """Resumable uploads (tus 1.0.0) on the seeded design: see the header. Sets ids["upload"]."""
    send, design, subject = client.send, ids["set_design"], ids["subject"]
    uploads = f"/api/v1/set-designs/{design}/base-images/uploads"

    def expect(where, answer, status, headers=None):
        """The answer's headers; a problem unless it has `status` and each of `headers` with its value."""
        code, received, data = answer
        if code != status:
            problem(f"{where}: answered {code} {data[:300]!r}, not {status}")
        for name, value in (headers or {}).items():
            if received.get(name.lower()) != value:
                problem(f"{where}: {name} is {received.get(name.lower())!r}, not {value!r}")
        return received

    def head(path):
        return send("HEAD", path, content_type=None, headers=TUS)

    def patch(path, offset, chunk, checksum=None):
        headers = dict(TUS, **{"Upload-Offset": str(offset)})
        if checksum:
            headers["Upload-Checksum"] = checksum
        return send("PATCH", path, raw=chunk, content_type="application/offset+octet-stream", headers=headers)

    for path in (uploads, f"{uploads}/{uuid.uuid4()}"):
        expect(f"OPTIONS {path} without a token", send("OPTIONS", path, content_type=None, token=False), 204)
    expect("a creation without Tus-Resumable", send("POST", uploads, content_type=None, headers={"Upload-Length": "10"}), 412)

    # A real ZIP for the seeded subject: both images match a seeded shot type.
    looks = archive({"looks/front_full_body.png": png(9, 6), "looks/back_close_up.png": png(10, 6)})
    upload = resumable_upload(client, design, len(looks), subject=subject, filename="looks.zip")
    ids["upload"] = upload.rsplit("/", 1)[1]
    expect("HEAD of a new upload", head(upload), 200, {"Upload-Offset": "0", "Upload-Length": str(len(looks))})
    half = len(looks) // 2
    digest = base64.b64encode(hashlib.sha1(looks[:half]).digest()).decode()
    expect("PATCH of an upload's first half", patch(upload, 0, looks[:half], "sha1 " + digest), 204,
           {"Upload-Offset": str(half)})
    expect("PATCH at an offset the upload is not at", patch(upload, 0, looks[:half]), 409, {"Upload-Offset": str(half)})
    task = expect("PATCH of an upload's rest", patch(upload, half, looks[half:]), 204,
                  {"Upload-Offset": str(len(looks))}).get("upload-task-id")
    if task is None:
        problem("the PATCH that completed an upload named no Upload-Task-Id")
    else:
        expect("HEAD of a complete upload", head(upload), 200, {"Upload-Task-Id": task})
        ended = finished(client, task)
        if ended["status"] != "COMPLETED":
            problem(f"the task of a resumable upload ended {ended['status']} ({ended['error_message']})")

    other = resumable_upload(client, design, 1000)
    expect("DELETE of an upload", send("DELETE", other, content_type=None, headers=TUS), 204)
    expect("HEAD of an ended upload", head(other), 404)


def delete_everything(ids, member):
    call = client.call
    call("DELETE", f"/api/v1/organizations/{ids['org']}/members/{member}")
    call("DELETE", f"/api/v1/guidelines/{ids['guidelines']}/shot-type-rules/{ids['rule']}")
    for collection, key in (("set-designs", "set_design"), ("guidelines", "guidelines"), ("background-presets", "preset"),
                            ("subjects", "subject"), ("shot-types", "shot_type")):
        call("DELETE", f"/api/v1/{collection}/{ids[key]}")


def main():
    ids = seed(client)
    member = call_every_operation(ids)
    call_upload_workflow(ids)
    call_resumable_uploads(ids)
    probe_requests(ids)
    delete_everything(ids, member)
    check_answers(client.exchanges)
    for text in problems:
        print(text)
    print(f"{len(problems)} differences between the document and the gateway in {len(client.exchanges)} requests")
    sys.exit(1 if problems else 0)


main()
