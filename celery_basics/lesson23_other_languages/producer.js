// Lesson 23, a Node.js producer: send a Celery task with amqplib, read the result with redis.
//
//   npm ci --prefix celery_basics/lesson23_other_languages        (once)
//   node celery_basics/lesson23_other_languages/producer.js --args "[2, 3]"
//   node celery_basics/lesson23_other_languages/producer.js --task lesson23.nope --timeout 3
//
// The message is the same as producer.py's: Celery's protocol v2, headers + JSON body
// [args, kwargs, embed]. https://docs.celeryq.dev/en/stable/internals/protocol.html
"use strict";

const crypto = require("node:crypto");
const os = require("node:os");
const { parseArgs } = require("node:util");
const amqp = require("amqplib");
const { createClient } = require("redis");

// The same defaults as lessons/settings.py; the same environment variables override them.
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
    root_id: taskId,
    parent_id: null,
    group: null,
    shadow: null,
    eta: null,
    expires: null,
    retries: 0,
    timelimit: [null, null],
    argsrepr: JSON.stringify(args), // for logs and monitors only
    kwargsrepr: JSON.stringify(kwargs),
    origin: `node@${os.hostname()}:${process.pid}`,
    ignore_result: false,
  };
  // ... and the body [args, kwargs, embed], as JSON.
  const body = JSON.stringify([args, kwargs, { callbacks: null, errbacks: null, chain: null, chord: null }]);

  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  let unroutable = false;
  channel.on("return", () => { unroutable = true; }); // mandatory: the broker hands it back
  channel.publish("", opts.queue, Buffer.from(body), {
    contentType: "application/json",
    contentEncoding: "utf-8",
    correlationId: taskId,
    deliveryMode: 2,
    priority: 0,
    headers,
    mandatory: true,
  });
  await channel.waitForConfirms();
  await connection.close();
  if (unroutable) {
    console.log(` [!] No queue '${opts.queue}' on the broker: start the worker first (it declares it).`);
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
    // Expected trouble in a sentence, not a stack trace.
    console.error(` [!] ${err.code === "ECONNREFUSED" ? `Nothing answers at ${err.address}:${err.port}. Is the stack up? Run 'make doctor'.` : err.message}`);
    process.exitCode = 1;
  },
);
