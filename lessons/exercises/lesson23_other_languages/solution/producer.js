// Exercise 23, from Node.js: send a task to the Celery worker with amqplib.
//
//   npm install          (once, in this folder; lesson 23's 'make languages' is found too)
//   node producer.js     (the worker runs: celery -A tasks worker --loglevel INFO)
//
// The same task as producer.py: "exercise23.invoice_total(items, tax_rate=0.0)" on the queue
// 'exercise23'. The reference solution: the same message as the Python one (protocol v2).
"use strict";

const crypto = require("node:crypto");
const amqp = require("amqplib");

const AMQP_URL = process.env.AMQP_URL || "amqp://course:course@127.0.0.1:5672/%2F";
const QUEUE = "exercise23";
const ITEMS = [{ price: 10.0, qty: 2 }, { price: 5.5, qty: 4 }];
const TAX_RATE = 0.2;

async function main() {
  const taskId = crypto.randomUUID();
  // Protocol v2: the task's name and id in the headers (all the worker needs) ...
  const headers = { task: "exercise23.invoice_total", id: taskId };
  // ... and the body [args, kwargs, embed], as JSON.
  const body = JSON.stringify([[ITEMS], { tax_rate: TAX_RATE },
    { callbacks: null, errbacks: null, chain: null, chord: null }]);

  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  channel.publish("", QUEUE, Buffer.from(body), {
    headers, contentType: "application/json", contentEncoding: "utf-8", correlationId: taskId, deliveryMode: 2,
  });
  await channel.waitForConfirms();
  await connection.close();
  console.log(` [x] Sent exercise23.invoice_total[${taskId}] (${ITEMS.length} items, tax ${TAX_RATE})`);
}

main().catch((err) => {
  console.error(` [!] ${err.message}`);
  process.exitCode = 1;
});
