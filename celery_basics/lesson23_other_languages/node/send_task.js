// Lesson 23, sending a Celery task from Node.js: amqplib builds the message, redis reads the result.
//
//   npm ci --prefix node        (once: amqplib and redis from package-lock.json)
//   node node/send_task.js --args "[2, 3]"
//   node node/send_task.js --task lesson23.nope --timeout 3
//
// The message is the same as send_task.py's: Celery's protocol v2, headers + JSON body
// [args, kwargs, embed]. https://docs.celeryq.dev/en/stable/internals/protocol.html
"use strict";

const crypto = require("node:crypto");
const os = require("node:os");
const { parseArgs } = require("node:util");
const amqp = require("amqplib");
const { createClient } = require("redis");

const AMQP_URL = process.env.AMQP_URL || "amqp://course:course@127.0.0.1:5672/%2F";
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379/0";

const { values: opts } = parseArgs({
  options: {
    task: { type: "string", default: "lesson23.add" },
    args: { type: "string", default: "[2, 3]" },
    kwargs: { type: "string", default: "{}" },
    queue: { type: "string", default: "lesson23_other_languages" },
    timeout: { type: "string", default: "10" },
  },
});

async function main() {
  const args = JSON.parse(opts.args);
  const kwargs = JSON.parse(opts.kwargs);
  const timeout = Number(opts.timeout);
  const taskId = crypto.randomUUID();

  // Celery's message protocol v2: the task's name and id in the headers ...
  const headers = {
    lang: "py", // the language the task is written in
    task: opts.task, // the name the worker looks up in its registry
    id: taskId,
    root_id: taskId, // the first task of a workflow; this one is alone
    parent_id: null,
    group: null,
    shadow: null,
    eta: null, // ISO 8601 time to run at, null = now
    expires: null,
    retries: 0,
    timelimit: [null, null], // [hard, soft] seconds: the order Celery sends and reads
    argsrepr: JSON.stringify(args), // for logs and monitors only
    kwargsrepr: JSON.stringify(kwargs),
    origin: `node@${os.hostname()}:${process.pid}`,
    // No ignore_result: false would override a task declared ignore_result=True (see send_task.py).
  };
  // ... and the body [args, kwargs, embed], as JSON.
  const body = JSON.stringify([args, kwargs, { callbacks: null, errbacks: null, chain: null, chord: null }]);

  let connection;
  try {
    connection = await amqp.connect(AMQP_URL);
  } catch (err) {
    const { host } = new URL(AMQP_URL);
    console.error(` [!] Cannot connect to RabbitMQ at ${host}: ${err.message}`);
    return 1;
  }
  // Publisher confirms: the broker answers each message, ack or nack. With mandatory, a message
  // no queue takes is returned, not lost.
  const channel = await connection.createConfirmChannel();
  let unroutable = false;
  channel.on("return", () => { unroutable = true; });
  // The default exchange routes to the queue named by the routing key, as Celery does.
  channel.publish("", opts.queue, Buffer.from(body), {
    contentType: "application/json", // the serializer: the worker accepts JSON only
    contentEncoding: "utf-8",
    correlationId: taskId,
    deliveryMode: 2,
    priority: 0,
    headers,
    mandatory: true,
  });
  const acked = await channel.waitForConfirms().then(() => true, () => false); // rejected: a nack
  await connection.close();
  if (unroutable) {
    console.log(` [!] No queue '${opts.queue}' on the broker: start the worker first (it declares it).`);
    return 1;
  }
  if (!acked) { // a full queue with x-overflow reject-publish, for example
    console.log(` [!] The broker refused the message (nack): queue '${opts.queue}' did not take it.`);
    return 1;
  }
  console.log(` [x] Sent ${opts.task}[${taskId}] args=${opts.args} kwargs=${opts.kwargs}`);

  // The result backend: a JSON document under celery-task-meta-<id>.
  const backend = createClient({ url: REDIS_URL });
  await backend.connect();
  const key = `celery-task-meta-${taskId}`;
  const started = Date.now();
  try {
    while (Date.now() - started < timeout * 1000) {
      const stored = await backend.get(key);
      if (stored !== null) {
        const meta = JSON.parse(stored);
        if (meta.status === "SUCCESS") {
          console.log(` [.] Got ${JSON.stringify(meta.result)} (${key}, ${Date.now() - started} ms)`);
          return 0;
        }
        if (meta.status === "FAILURE" || meta.status === "REVOKED") {
          const error = meta.result; // {exc_type, exc_message, exc_module}
          console.log(` [!] The worker answered ${meta.status}: ${error.exc_type}(${error.exc_message.map((m) => JSON.stringify(m)).join(", ")})`);
          if (error.exc_type === "NotRegistered") {
            console.log(` [!] No worker knows a task named '${opts.task}': it rejected the message.`);
          }
          return 2;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await backend.quit();
  }
  console.log(` [!] Timed out: no result for ${opts.task}[${taskId}] after ${timeout} s. ` +
    `No worker that knows '${opts.task}' took it from queue '${opts.queue}' (Celery would call it PENDING: unknown).`);
  return 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(` [!] ${err.message}`);
    process.exitCode = 1;
  },
);
