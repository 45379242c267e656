// A Node 20 + AWS SDK v3 peer of create-invite and accept-invite, for the
// cold-request bench (`make bench`, crates/bench/src/cold.rs): the same AWS
// calls as this project's functions (create: one consistent read, one
// transaction of five writes, one queued message; accept: one consistent
// read, one transaction of five writes), on its own keys (PEER#…) of the
// bench's table, under the same Runtime API, TLS and CPU quota.
// Usage: node peer.mjs create-invite|accept-invite
import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';

const TableName = process.env.INVITES_TABLE;
const QueueUrl = process.env.INVITES_QUEUE_URL;
const ddb = new DynamoDBClient({});
const sqs = new SQSClient({});
const s = (v) => ({ S: String(v) });
const one = { ':one': { N: '1' } };

async function createInvite(event) {
  const rid = event.pathParameters.rid;
  const { email, role } = JSON.parse(event.body);
  const address = email.trim().toLowerCase();
  const who = event.requestContext.authorizer.jwt.claims.sub;
  const PK = s(`PEER#${rid}`);
  await ddb.send(new GetItemCommand({ TableName, Key: { PK, SK: s(`MEMBER#${who}`) }, ConsistentRead: true }));
  const id = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  await ddb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName, Item: { PK, SK: s(`INVITE#${id}`), email: s(address), role: s(role), status: s('pending'), createdAt: { N: String(now) } }, ConditionExpression: 'attribute_not_exists(PK)' } },
    { Put: { TableName, Item: { PK, SK: s(`EMAIL#${address}`), inviteId: s(id) }, ConditionExpression: 'attribute_not_exists(PK)' } },
    { Update: { TableName, Key: { PK, SK: s('SEATS') }, UpdateExpression: 'ADD used :one', ExpressionAttributeValues: one } },
    { Update: { TableName, Key: { PK, SK: s(`BUDGET#${Math.floor(now / 86400)}`) }, UpdateExpression: 'ADD used :one', ExpressionAttributeValues: one } },
    { Put: { TableName, Item: { PK, SK: s(`AUDIT#${now}#${id}`), action: s('invite.created'), actor: s(who) } } },
  ] }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ type: 'peer.noop', id }) }));
  return { statusCode: 201, body: JSON.stringify({ id }) };
}

async function acceptInvite(event) {
  const { token } = JSON.parse(event.body);
  const id = createHash('sha256').update(token).digest('hex').slice(0, 26);
  const who = event.requestContext.authorizer.jwt.claims.sub;
  const PK = s('PEER#accept');
  await ddb.send(new GetItemCommand({ TableName, Key: { PK, SK: s(`INVITE#${id}`) }, ConsistentRead: true }));
  const now = Math.floor(Date.now() / 1000);
  await ddb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName, Item: { PK, SK: s(`MEMBER#${who}`), role: s('read_only'), joinedAt: { N: String(now) } }, ConditionExpression: 'attribute_not_exists(PK)' } },
    { Put: { TableName, Item: { PK, SK: s(`INVITE#${id}`), status: s('accepted'), acceptedBy: s(who) } } },
    { Put: { TableName, Item: { PK, SK: s(`EMAIL#${id}`), holder: s('member'), userId: s(who) } } },
    { Update: { TableName, Key: { PK, SK: s('SEATS') }, UpdateExpression: 'ADD used :one', ExpressionAttributeValues: one } },
    { Put: { TableName, Item: { PK, SK: s(`AUDIT#${now}#${id}`), action: s('invite.accepted'), actor: s(who) } } },
  ] }));
  return { statusCode: 200, body: JSON.stringify({ resourceId: 'accept', role: 'read_only' }) };
}

const handler = { 'create-invite': createInvite, 'accept-invite': acceptInvite }[process.argv[2]];
if (!handler) throw new Error('usage: node peer.mjs create-invite|accept-invite');

// The Runtime API loop, on node:http as Lambda's own runtime client does.
const agent = new http.Agent({ keepAlive: true });
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: `/2018-06-01/runtime/invocation/${path}`, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
for (;;) {
  const next = await call('GET', 'next');
  const id = next.headers['lambda-runtime-aws-request-id'];
  try {
    const out = await handler(JSON.parse(next.body));
    await call('POST', `${id}/response`, JSON.stringify(out));
  } catch (e) {
    await call('POST', `${id}/error`, JSON.stringify({ errorType: e.name, errorMessage: String(e.message) }));
  }
}
