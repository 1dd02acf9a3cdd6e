"""Production settings: everything from the environment (see README.md, "Omgevingsvariabelen")."""

import copy

from config.env import env, env_bool, env_int, env_list
from config.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Container healthchecks call /health/ over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/((live|ready)/)?$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The 15-minute idle timeout (SESSION_COOKIE_AGE, SessieVerlengenMiddleware) comes from base;
# so do X-Frame-Options DENY, nosniff, the referrer policy, the CSP and REGIOZORG_OTP_VERPLICHT.

# PgBouncer in transaction pooling mode between the app and PostgreSQL (README "PgBouncer"):
# each transaction may run on another server connection, so nothing may outlive a transaction
# there. Django's .iterator() outside a transaction declares a server-side cursor WITH HOLD,
# which the next fetch, on another server connection, no longer finds: with the switch on it
# fetches client-side in chunks. Nothing else keeps session state: the advisory locks are
# pg_advisory_xact_lock (regio/api/idempotentie.py, regio/audit_seal.py), the SETs are
# SET LOCAL (toegang/privacy/bewaren.py), there is no LISTEN and no temporary table (only the
# benchmark makes one, against its own database), psycopg2 prepares nothing on the server, and
# the one SET at connect (Django's TIME ZONE, only where the server's differs) is a parameter
# PgBouncer keeps per client and sets again on whichever server connection it hands out.
# CONN_MAX_AGE stays as configured: a kept connection is one to PgBouncer, which is cheap.
POSTGRES_PGBOUNCER = env_bool("POSTGRES_PGBOUNCER", False)
if POSTGRES_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True  # noqa: F405

# One JSON object per log line, for the platform's log collector (regio/logboek.py).
LOGGING["handlers"]["console"]["formatter"] = "json"  # noqa: F405

# Files (letters, verslagen, contract documents, uploads, report and job results): on the
# local filesystem (DJANGO_MEDIA_ROOT), or, with REGIOZORG_S3_BUCKET, in S3-compatible object
# storage (MinIO, any S3 service) shared by every web and worker pod (README "Gedeelde opslag").
# The objects stay private: no ACL (the bucket's own, private) and no signed links; Django reads
# them through the storage API and streams them, so every download passes the scoping layer, is
# audited and has its SHA-256 checked. All five are read always, so the ConfigMap and Secret
# can be checked against them.
S3_BUCKET = env("REGIOZORG_S3_BUCKET", "")
S3_ENDPOINT_URL = env("REGIOZORG_S3_ENDPOINT_URL", "")
S3_REGION = env("REGIOZORG_S3_REGION", "")
S3_ACCESS_KEY_ID = env("REGIOZORG_S3_ACCESS_KEY_ID", "")
S3_SECRET_ACCESS_KEY = env("REGIOZORG_S3_SECRET_ACCESS_KEY", "")
if S3_BUCKET:
    MEDIA_OPSLAG = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            # Empty: AWS itself (virtual-hosted addressing); an own endpoint such as MinIO
            # is addressed by path.
            "endpoint_url": S3_ENDPOINT_URL or None,
            "addressing_style": "path" if S3_ENDPOINT_URL else None,
            "region_name": S3_REGION or None,
            # Empty: boto3's own chain (an IAM role of the pod, for instance).
            "access_key": S3_ACCESS_KEY_ID or None,
            "secret_key": S3_SECRET_ACCESS_KEY or None,
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": False,
            # As on the filesystem: a second file of the same name gets a name of its own.
            "file_overwrite": False,
        },
    }
else:
    MEDIA_OPSLAG = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": MEDIA_OPSLAG,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One cache for all web processes (the API's rate limit per credential counts across gunicorn
# workers and containers), in the same Redis/Valkey as the broker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,  # noqa: F405
        "KEY_PREFIX": "regiozorg",
    }
}

# A read replica (README "A read replica"): with POSTGRES_REPLICA_HOST, a streaming standby of
# the primary serves the heavy reads that tolerate a little lag (reports, exports, dashboards'
# aggregates, under regio.replica.lezen_van_replica()); everything else, permission and scope
# checks and the verevening included, stays on the primary. Same database, user and password as
# the primary; its own port with POSTGRES_REPLICA_PORT. Both are read always, so the ConfigMap
# can be checked against them. Without the host: no replica, no router.
POSTGRES_REPLICA_HOST = env("POSTGRES_REPLICA_HOST", "")
POSTGRES_REPLICA_PORT = env("POSTGRES_REPLICA_PORT", "")
if POSTGRES_REPLICA_HOST:
    DATABASES["replica"] = {  # noqa: F405
        **copy.deepcopy(DATABASES["default"]),  # noqa: F405
        "HOST": POSTGRES_REPLICA_HOST,
        "PORT": POSTGRES_REPLICA_PORT or DATABASES["default"]["PORT"],  # noqa: F405
    }
    DATABASE_ROUTERS = ["regio.replica.ReplicaRouter"]
