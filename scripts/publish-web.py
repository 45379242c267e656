#!/usr/bin/env python3
"""Uploads the built web app (web/dist) to the stack's WebBucket with its
config.json written from the stack's outputs, then invalidates the
distribution's cached pages. Run by scripts/deploy.sh (HostWebApp=on) with
the SAM CLI's Python (boto3); tested against moto by tests/publish_web_test.py.

    publish-web.py OUTPUTS_JSON DIST_DIR

OUTPUTS_JSON is `sam list stack-outputs --output json`. From the environment:
JWT_AUDIENCE (the client id when the stack does not create the Cognito
client), OIDC_SCOPE, WEB_UPGRADE_URL (optional), AWS_REGION, and for the
tests AWS_ENDPOINT_URL and WEB_KEEP_OLD_ASSETS_DAYS (default 7).
"""

import json
import mimetypes
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3

# Hashed file names never change content: cached for a year. The pages and
# config.json are checked with the origin on every load.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Assets of earlier deploys stay this long, for pages already open.
KEEP_OLD_ASSETS = timedelta(days=float(os.environ.get("WEB_KEEP_OLD_ASSETS_DAYS", "7")))
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".map": "application/json", ".webmanifest": "application/manifest+json"}


def web_config(outputs: dict) -> dict:
    """config.json of the hosted app: where the API is and how people sign in."""
    client_id = outputs.get("CognitoClientId") or os.environ.get("JWT_AUDIENCE", "").split(",")[0].strip()
    if not client_id:
        sys.exit("publish-web: no OIDC client id (the stack made no Cognito client; set JWT_AUDIENCE)")
    config = {
        "apiBaseUrl": outputs.get("EdgeApiUrl") or outputs["ApiUrl"],
        "signInUrl": "/signin?returnTo={returnTo}",
        "resourceUrl": "/resources/{resourceId}",
        "oidc": {
            "authority": outputs["JwtIssuerUrl"],
            "clientId": client_id,
            "scope": os.environ.get("OIDC_SCOPE") or "openid email profile",
        },
    }
    if os.environ.get("WEB_UPGRADE_URL"):
        config["upgradeUrl"] = os.environ["WEB_UPGRADE_URL"]
    return config


def content_type(path: Path) -> str:
    return TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def main() -> None:
    outputs_file, dist = sys.argv[1], Path(sys.argv[2])
    outputs = {o["OutputKey"]: o["OutputValue"] for o in json.loads(Path(outputs_file).read_text())}
    bucket, distribution = outputs.get("WebBucketName"), outputs.get("WebDistributionId")
    if not bucket or not distribution:
        sys.exit("publish-web: the stack hosts no web app (HostWebApp=off)")
    if not (dist / "index.html").is_file():
        sys.exit(f"publish-web: {dist}/index.html not found; build web/ first")
    s3 = boto3.client("s3", region_name=os.environ.get("AWS_REGION"))
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")  # a global service

    files = sorted(p for p in dist.rglob("*") if p.is_file() and p.name not in ("config.json", "config.example.json"))
    # Assets first, the pages that name them last, so no page points at a
    # file not yet uploaded.
    files.sort(key=lambda p: p.suffix == ".html")
    for path in files:
        key = path.relative_to(dist).as_posix()
        cache = IMMUTABLE if key.startswith("assets/") else REVALIDATE
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type(path), "CacheControl": cache})
    config = web_config(outputs)
    s3.put_object(Bucket=bucket, Key="config.json", Body=json.dumps(config, indent=2).encode(), ContentType="application/json", CacheControl=REVALIDATE)

    current = {p.relative_to(dist).as_posix() for p in files}
    cutoff = datetime.now(timezone.utc) - KEEP_OLD_ASSETS
    stale = [
        {"Key": o["Key"]}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="assets/")
        for o in page.get("Contents", [])
        if o["Key"] not in current and o["LastModified"] < cutoff
    ]
    for i in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[i : i + 1000], "Quiet": True})

    invalidation = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"deploy-{time.time_ns()}"},
    )["Invalidation"]["Id"]
    print(f"publish-web: {len(files)} files and config.json to s3://{bucket}, {len(stale)} old assets removed, invalidation {invalidation}; {outputs.get('WebUrl', '')}")


if __name__ == "__main__":
    main()
