"""A studio's resumable upload with the real tus client (tuspy), one process per run.

usage: tus_client.py CREATION_URL TOKEN ARCHIVE URL_STORE CHUNK_BYTES [STOP_AT]

Uploads ARCHIVE in CHUNK_BYTES PATCHes with sha1 checksums, remembering the
upload's URL in URL_STORE (tuspy's file storage, keyed by the file's
fingerprint) as a studio's tool would. With STOP_AT it stops once that many
bytes are in, like a connection lost half-way; a later run with the same
URL_STORE resumes from the server's offset (HEAD) instead of starting over.
Prints one JSON line: the upload's URL, the offset reached, whether it
resumed, and the Upload-Task-Id of the last answer.
"""
import json
import sys

from tusclient import client
from tusclient.storage.filestorage import FileStorage

creation_url, token, archive, url_store, chunk = sys.argv[1:6]
stop_at = int(sys.argv[6]) if len(sys.argv) > 6 else None

storage = FileStorage(url_store)
tus = client.TusClient(creation_url, headers={"Authorization": f"Bearer {token}"})
uploader = tus.uploader(
    archive, chunk_size=int(chunk), metadata={"filename": "shoot.zip"}, store_url=True, url_storage=storage,
    upload_checksum=True, retries=0,
)
resumed_from = uploader.offset if uploader.url else None
uploader.upload(stop_at=stop_at)
last = getattr(uploader, "request", None)
print(json.dumps({
    "url": uploader.url, "offset": uploader.offset, "resumed_from": resumed_from,
    "task": last.response_headers.get("upload-task-id") if last else None,
}))
storage.close()
