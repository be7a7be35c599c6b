// Lesson 23, a job producer in Node.js (amqplib): the same JSON jobs as send_jobs.py.
//
//   npm ci --prefix node        (once)
//   node node/send_jobs.js --count 3 --seconds 1
"use strict";

const { parseArgs } = require("node:util");
const amqp = require("amqplib");

const AMQP_URL = process.env.AMQP_URL || "amqp://course:course@127.0.0.1:5672/%2F";

const { values: opts } = parseArgs({
  options: {
    count: { type: "string", default: "3" },
    seconds: { type: "string", default: "1" },
  },
});

async function main() {
  let connection;
  try {
    connection = await amqp.connect(AMQP_URL);
  } catch (err) {
    const { host } = new URL(AMQP_URL);
    console.error(` [!] Cannot connect to RabbitMQ at ${host}: ${err.message}`);
    return 1;
  }
  const channel = await connection.createChannel();
  // durable, with the same dead-letter arguments as every other program (see send_jobs.py)
  await channel.assertQueue("lesson23_jobs", {
    durable: true,
    arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "lesson23_jobs_dead" },
  });
  for (let n = 1; n <= Number(opts.count); n++) {
    const job = { id: `node-${n}`, sent_by: "node", seconds: Number(opts.seconds) };
    channel.sendToQueue("lesson23_jobs", Buffer.from(JSON.stringify(job)), {
      contentType: "application/json",
      persistent: true,
    });
    console.log(` [x] Sent ${job.id}`);
  }
  await channel.close();
  await connection.close();
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(` [!] ${err.message}`);
    process.exitCode = 1;
  },
);
