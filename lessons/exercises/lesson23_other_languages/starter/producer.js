// Exercise 23, from Node.js: send a task to the Celery worker with amqplib.
//
//   npm install          (once, in this folder; lesson 23's 'make languages' is found too)
//   node producer.js     (the worker runs: celery -A tasks worker --loglevel INFO)
//
// The same task as producer.py: "exercise23.invoice_total(items, tax_rate=0.0)" on the queue
// 'exercise23'. TODO: build the message as Celery's protocol v2 says (see producer.py's notes
// and lesson 23's node/send_task.js): headers with "task" and "id", the JSON body [args, kwargs,
// embed], contentType and contentEncoding, and the id as correlationId.
// Keep the " [x] Sent exercise23.invoice_total[<id>]" line: the checker reads the id there.
"use strict";

const crypto = require("node:crypto");
const amqp = require("amqplib");

const AMQP_URL = process.env.AMQP_URL || "amqp://course:course@127.0.0.1:5672/%2F";
const QUEUE = "exercise23";
const ITEMS = [{ price: 10.0, qty: 2 }, { price: 5.5, qty: 4 }];
const TAX_RATE = 0.2;

async function main() {
  const taskId = crypto.randomUUID();
  const headers = {}; // TODO: the task's name and id
  const body = JSON.stringify([]); // TODO: [args, kwargs, embed]

  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  // TODO: contentType, contentEncoding and correlationId in the options
  channel.publish("", QUEUE, Buffer.from(body), { headers });
  await channel.waitForConfirms();
  await connection.close();
  console.log(` [x] Sent exercise23.invoice_total[${taskId}] (${ITEMS.length} items, tax ${TAX_RATE})`);
}

main().catch((err) => {
  console.error(` [!] ${err.message}`);
  process.exitCode = 1;
});
