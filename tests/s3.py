"""An S3-compatible store on 127.0.0.1 for tests: moto's server mode as a real subprocess.

`MotoServer` starts `python -m moto.server` on a free port, can be stopped mid-test (a store
that went away) and started again on the same port; each start makes the buckets anew (moto
keeps everything in memory). Fixtures, registered for the whole suite in tests/conftest.py:

- `moto_server`: one server per test module, stopped after it.
- `s3_media`: `STORAGES` pointing "default" (public media) and "private" (signed URLs) at that
  server, built by config/storage_settings.py from the same variables production reads.

    def test_upload(s3_media):
        ...                       # uploads go to s3_media.server
        s3_media.server.stop()    # pages must still answer
        s3_media.server.start()   # and uploads work again
"""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

MEDIA_BUCKET = "ocop-media"
PRIVATE_BUCKET = "ocop-private"
ACCESS_KEY = "AKIAOCOPTESTKEY00000"
SECRET_KEY = "ocop-test-secret-key"
REGION = "us-east-1"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{MEDIA_BUCKET}/*",
        }
    ],
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    """moto's S3 server in its own process, with a public media bucket and a private one."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, timeout=20):
        if self.running:
            return self
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto server did not start on port {self.port}") from None
                time.sleep(0.05)
        s3 = self.client()
        s3.create_bucket(Bucket=MEDIA_BUCKET)
        s3.put_bucket_policy(Bucket=MEDIA_BUCKET, Policy=json.dumps(PUBLIC_READ))
        s3.create_bucket(Bucket=PRIVATE_BUCKET)
        return self

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def keys(self, bucket=MEDIA_BUCKET, prefix=""):
        listing = self.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", ()))

    def read(self, key, bucket=MEDIA_BUCKET):
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()

    def environment(self):
        """The variables a deployment would set to use this server."""
        return {
            "AWS_STORAGE_BUCKET_NAME": MEDIA_BUCKET,
            "AWS_PRIVATE_BUCKET_NAME": PRIVATE_BUCKET,
            "AWS_S3_ENDPOINT_URL": self.url,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }


class S3Media:
    """What a test of the S3 storages needs: the server and the buckets' names."""

    media_bucket = MEDIA_BUCKET
    private_bucket = PRIVATE_BUCKET

    def __init__(self, server):
        self.server = server


def _forget_thumbnail_storage():
    """sorl-thumbnail keeps its storage object for good; tests change STORAGES under it."""
    from django.utils.functional import empty
    from sorl.thumbnail import default
    from sorl.thumbnail.images import get_or_create_storage

    default.storage._wrapped = empty
    get_or_create_storage.cache_clear()


@pytest.fixture(scope="module")
def moto_server():
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def s3_media(moto_server, settings, monkeypatch):
    """STORAGES on the moto server, from the variables production reads."""
    import environ

    from config.storage_settings import media_storages

    moto_server.start()  # a test before may have stopped it
    for name, value in moto_server.environment().items():
        monkeypatch.setenv(name, value)
    # Fail fast in tests too, and ask a store that came back at once.
    monkeypatch.setenv("AWS_S3_UNAVAILABLE_FOR", "0")
    settings.STORAGES = {
        **settings.STORAGES,
        **media_storages(environ.Env(), private_root=settings.PRIVATE_MEDIA_ROOT),
    }
    _forget_thumbnail_storage()
    yield S3Media(moto_server)
    _forget_thumbnail_storage()
