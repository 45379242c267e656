"""make deploy's upload of the hosted web app (scripts/publish-web.py)
against moto's S3 and CloudFront: content types, caching, config.json from
the stack's outputs, old assets removed, the pages invalidated, and a stack
without a client id refused. Run by scripts/test.sh with AWS_ENDPOINT_URL at
the local moto server."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
s3 = boto3.client("s3", region_name=os.environ.get("AWS_REGION"))
cloudfront = boto3.client("cloudfront", region_name="us-east-1")


def distribution() -> str:
    origin = {"Id": "web", "DomainName": "web.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
    config = {
        "CallerReference": f"test-{os.getpid()}",
        "Comment": "publish-web test",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "redirect-to-https"},
    }
    return cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def publish(outputs: dict, dist: Path, **env) -> subprocess.CompletedProcess:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()], f)
    run_env = {k: v for k, v in os.environ.items() if k != "JWT_AUDIENCE"} | env
    return subprocess.run([sys.executable, str(ROOT / "scripts/publish-web.py"), f.name, str(dist)], env=run_env, capture_output=True, text=True)


def main() -> None:
    bucket = f"web-{os.getpid()}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="assets/index-OLD.js", Body=b"old")
    dist_id = distribution()
    dist = Path(tempfile.mkdtemp())
    (dist / "assets").mkdir()
    (dist / "index.html").write_text('<!doctype html><script type="module" src="/assets/index-NEW.js"></script>')
    (dist / "assets/index-NEW.js").write_text("console.log(1)")
    (dist / "assets/index-NEW.css").write_text("body{}")
    (dist / "config.example.json").write_text("{}")
    outputs = {
        "WebBucketName": bucket,
        "WebDistributionId": dist_id,
        "WebUrl": "https://d111.cloudfront.net",
        "ApiUrl": "https://abc.execute-api.eu-central-1.amazonaws.com",
        "JwtIssuerUrl": "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_X",
        "CognitoClientId": "client123",
    }

    done = publish(outputs, dist, WEB_KEEP_OLD_ASSETS_DAYS="0")
    assert done.returncode == 0, done.stderr
    print(done.stdout.strip())
    head = lambda key: s3.head_object(Bucket=bucket, Key=key)
    assert head("index.html")["ContentType"] == "text/html" and head("index.html")["CacheControl"] == "no-cache"
    assert head("assets/index-NEW.js")["ContentType"] == "text/javascript"
    assert head("assets/index-NEW.js")["CacheControl"] == "public, max-age=31536000, immutable"
    assert head("assets/index-NEW.css")["ContentType"] == "text/css"
    config = json.loads(s3.get_object(Bucket=bucket, Key="config.json")["Body"].read())
    assert config == {
        "apiBaseUrl": outputs["ApiUrl"],
        "signInUrl": "/signin?returnTo={returnTo}",
        "resourceUrl": "/resources/{resourceId}",
        "oidc": {"authority": outputs["JwtIssuerUrl"], "clientId": "client123", "scope": "openid email profile"},
    }, config
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {"index.html", "config.json", "assets/index-NEW.js", "assets/index-NEW.css"}, keys
    invalidations = cloudfront.list_invalidations(DistributionId=dist_id)["InvalidationList"]
    assert invalidations["Quantity"] == 1, invalidations

    # The edge's URL wins over the API's own; an issuer of the operator's needs its client id.
    outputs |= {"EdgeApiUrl": "https://api.example.com"}
    del outputs["CognitoClientId"]
    refused = publish(outputs, dist)
    assert refused.returncode != 0 and "JWT_AUDIENCE" in refused.stderr, refused.stderr
    done = publish(outputs, dist, JWT_AUDIENCE="spa-client, other")
    assert done.returncode == 0, done.stderr
    config = json.loads(s3.get_object(Bucket=bucket, Key="config.json")["Body"].read())
    assert config["apiBaseUrl"] == "https://api.example.com" and config["oidc"]["clientId"] == "spa-client", config
    print("publish-web: content types, caching, config.json, old assets and the invalidation as expected")


if __name__ == "__main__":
    main()
