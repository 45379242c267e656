"""A Python 3.11 + boto3 peer of create-invite and accept-invite, for the
cold-request bench (`make bench`, crates/bench/src/cold.rs): the same AWS
calls as this project's functions (create: one consistent read, one
transaction of five writes, one queued message; accept: one consistent
read, one transaction of five writes), on its own keys (PEER#...) of the
bench's table, under the same Runtime API, TLS and CPU quota. boto3 comes
with moto in the project's virtualenv (scripts/setup.sh).

Usage: python peer.py create-invite|accept-invite
"""

import hashlib
import http.client
import json
import os
import sys
import time
import uuid

import boto3

TABLE = os.environ["INVITES_TABLE"]
QUEUE = os.environ["INVITES_QUEUE_URL"]
ddb = boto3.client("dynamodb")
sqs = boto3.client("sqs")
ONE = {":one": {"N": "1"}}


def s(v):
    return {"S": str(v)}


def create_invite(event):
    rid = event["pathParameters"]["rid"]
    body = json.loads(event["body"])
    address = body["email"].strip().lower()
    who = event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
    pk = s(f"PEER#{rid}")
    ddb.get_item(TableName=TABLE, Key={"PK": pk, "SK": s(f"MEMBER#{who}")}, ConsistentRead=True)
    iid = str(uuid.uuid4())
    now = int(time.time())
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": {"PK": pk, "SK": s(f"INVITE#{iid}"), "email": s(address), "role": s(body["role"]), "status": s("pending"), "createdAt": {"N": str(now)}}, "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Put": {"TableName": TABLE, "Item": {"PK": pk, "SK": s(f"EMAIL#{address}"), "inviteId": s(iid)}, "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Update": {"TableName": TABLE, "Key": {"PK": pk, "SK": s("SEATS")}, "UpdateExpression": "ADD used :one", "ExpressionAttributeValues": ONE}},
        {"Update": {"TableName": TABLE, "Key": {"PK": pk, "SK": s(f"BUDGET#{now // 86400}")}, "UpdateExpression": "ADD used :one", "ExpressionAttributeValues": ONE}},
        {"Put": {"TableName": TABLE, "Item": {"PK": pk, "SK": s(f"AUDIT#{now}#{iid}"), "action": s("invite.created"), "actor": s(who)}}},
    ])
    sqs.send_message(QueueUrl=QUEUE, MessageBody=json.dumps({"type": "peer.noop", "id": iid}))
    return {"statusCode": 201, "body": json.dumps({"id": iid})}


def accept_invite(event):
    token = json.loads(event["body"])["token"]
    iid = hashlib.sha256(token.encode()).hexdigest()[:26]
    who = event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
    pk = s("PEER#accept")
    ddb.get_item(TableName=TABLE, Key={"PK": pk, "SK": s(f"INVITE#{iid}")}, ConsistentRead=True)
    now = int(time.time())
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": {"PK": pk, "SK": s(f"MEMBER#{who}"), "role": s("read_only"), "joinedAt": {"N": str(now)}}, "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Put": {"TableName": TABLE, "Item": {"PK": pk, "SK": s(f"INVITE#{iid}"), "status": s("accepted"), "acceptedBy": s(who)}}},
        {"Put": {"TableName": TABLE, "Item": {"PK": pk, "SK": s(f"EMAIL#{iid}"), "holder": s("member"), "userId": s(who)}}},
        {"Update": {"TableName": TABLE, "Key": {"PK": pk, "SK": s("SEATS")}, "UpdateExpression": "ADD used :one", "ExpressionAttributeValues": ONE}},
        {"Put": {"TableName": TABLE, "Item": {"PK": pk, "SK": s(f"AUDIT#{now}#{iid}"), "action": s("invite.accepted"), "actor": s(who)}}},
    ])
    return {"statusCode": 200, "body": json.dumps({"resourceId": "accept", "role": "read_only"})}


def main():
    handler = {"create-invite": create_invite, "accept-invite": accept_invite}[sys.argv[1]]
    # The Runtime API loop, as Lambda's own runtime client does it.
    api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
    base = "/2018-06-01/runtime/invocation"
    while True:
        api.request("GET", f"{base}/next")
        res = api.getresponse()
        event = json.loads(res.read())
        rid = res.getheader("lambda-runtime-aws-request-id")
        try:
            path, out = f"{base}/{rid}/response", handler(event)
        except Exception as e:  # noqa: BLE001 - reported to the runtime as Lambda does
            path, out = f"{base}/{rid}/error", {"errorType": type(e).__name__, "errorMessage": str(e)}
        api.request("POST", path, body=json.dumps(out))
        api.getresponse().read()


if __name__ == "__main__":
    main()
