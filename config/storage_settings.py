"""`STORAGES` from the environment: public media and private files, on disk or on S3.

Kept apart from config/media.py (the storage classes) so settings modules import nothing but
this: the S3 client's options are built here, the client itself only when a file is touched.

- "default": public media (Wagtail images and documents, product photos, renditions and
  thumbnails). Local: MEDIA_ROOT, served at MEDIA_URL. S3: AWS_STORAGE_BUCKET_NAME, plain
  permanent URLs (the bucket or its CDN serves them to everyone).
- "private": files only staff may fetch (lot test reports, stored label sheets). Local:
  PRIVATE_MEDIA_ROOT, which no URL serves. S3: AWS_PRIVATE_BUCKET_NAME (default: the media
  bucket) under AWS_PRIVATE_LOCATION, uploaded with a private ACL; staff get a signed URL that
  expires after AWS_QUERYSTRING_EXPIRE seconds.

Neither overwrites: a second upload with the same name gets a new name. A store that stops
answering fails within about AWS_S3_CONNECT_TIMEOUT + AWS_S3_READ_TIMEOUT seconds per attempt
(AWS_S3_MAX_ATTEMPTS attempts), never the minutes botocore would wait by default.
"""

S3_BACKEND = "config.media.S3MediaStorage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
# Where a local private file would be if anything served it: nothing does (see README).
PRIVATE_BASE_URL = "/private-media/"


def s3_client_config(*, connect_timeout, read_timeout, max_attempts, addressing_style=None):
    """botocore options for every S3 call: short timeouts and few retries, signature v4."""
    from botocore.config import Config

    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": max_attempts, "mode": "standard"},
        signature_version="s3v4",
        s3={"addressing_style": addressing_style} if addressing_style else None,
    )


def s3_options(*, bucket, private, client_config, location="", **options):
    """OPTIONS of one S3 storage: public media (permanent URLs) or private (signed URLs)."""
    return {
        "bucket_name": bucket,
        "location": location,
        "file_overwrite": False,
        "querystring_auth": private,
        "client_config": client_config,
        **({"custom_domain": None} if private else {}),
        **options,
    }


def media_storages(env, *, private_root):
    """The "default" and "private" entries of STORAGES, read from the environment."""
    bucket = env("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        return {
            "default": {"BACKEND": LOCAL_BACKEND},  # MEDIA_ROOT and MEDIA_URL
            "private": {
                "BACKEND": LOCAL_BACKEND,
                "OPTIONS": {"location": private_root, "base_url": PRIVATE_BASE_URL},
            },
        }
    client_config = s3_client_config(
        connect_timeout=env.float("AWS_S3_CONNECT_TIMEOUT", default=1.0),
        read_timeout=env.float("AWS_S3_READ_TIMEOUT", default=2.0),
        max_attempts=env.int("AWS_S3_MAX_ATTEMPTS", default=2),
        addressing_style=env("AWS_S3_ADDRESSING_STYLE", default="") or None,
    )
    shared = {
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env("AWS_S3_REGION_NAME", default="") or None,
        "unavailable_for": env.float("AWS_S3_UNAVAILABLE_FOR", default=5.0),
    }
    return {
        "default": {
            "BACKEND": S3_BACKEND,
            "OPTIONS": s3_options(
                bucket=bucket,
                private=False,
                client_config=client_config,
                location=env("AWS_LOCATION", default=""),
                custom_domain=env("AWS_S3_CUSTOM_DOMAIN", default="") or None,
                # Empty: the bucket's policy makes media public (buckets with ACLs disabled).
                default_acl=env("AWS_DEFAULT_ACL", default="") or None,
                **shared,
            ),
        },
        "private": {
            "BACKEND": S3_BACKEND,
            "OPTIONS": s3_options(
                bucket=env("AWS_PRIVATE_BUCKET_NAME", default="") or bucket,
                private=True,
                client_config=client_config,
                location=env("AWS_PRIVATE_LOCATION", default="private"),
                default_acl=env("AWS_PRIVATE_DEFAULT_ACL", default="private") or None,
                querystring_expire=env.int("AWS_QUERYSTRING_EXPIRE", default=300),
                **shared,
            ),
        },
    }
