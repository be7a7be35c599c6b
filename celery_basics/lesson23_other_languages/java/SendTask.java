// Lesson 23, sending a Celery task from Java: the RabbitMQ Java client builds the message, and the
// result comes back over AMQP (Celery's rpc:// result backend), so Java needs no Redis client.
//
//   CP=/usr/share/java/amqp-client.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar:/usr/share/java/gson.jar
//   java -cp $CP java/SendTask.java --args '[2, 3]'
//   java -cp $CP java/SendTask.java --task lesson23.nope --timeout 3
//
// The message is the same as send_task.py's (Celery's protocol v2, headers + JSON body
// [args, kwargs, embed]) plus reply_to: a worker whose result backend is rpc:// publishes the
// result there. It goes to the queue 'lesson23_rpc', which only such a worker reads:
//   celery -A celery_basics.lesson23_other_languages.tasks --result-backend rpc:// worker -Q lesson23_rpc
// https://docs.celeryq.dev/en/stable/internals/protocol.html
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

public class SendTask {
    static final String REPLY_TO = "amq.rabbitmq.reply-to"; // RabbitMQ's direct reply-to (lesson 7)

    public static void main(String[] argv) throws Exception {
        String amqpUrl = System.getenv().getOrDefault("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F");
        Map<String, String> o = new HashMap<>(Map.of("--task", "lesson23.add", "--args", "[2, 3]",
                "--kwargs", "{}", "--queue", "lesson23_rpc", "--timeout", "10"));
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (o.put(argv[i], argv[i + 1]) == null) {
                throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        String task = o.get("--task");
        String queue = o.get("--queue");
        double timeout = Double.parseDouble(o.get("--timeout"));
        String taskId = UUID.randomUUID().toString();

        // Celery's message protocol v2: everything about the task is in the headers ...
        Map<String, Object> headers = new HashMap<>();
        headers.put("lang", "py");        // the language the task is written in
        headers.put("task", task);        // the name the worker looks up in its registry
        headers.put("id", taskId);
        headers.put("root_id", taskId);   // the first task of a workflow; this one is alone
        headers.put("parent_id", null);
        headers.put("group", null);
        headers.put("shadow", null);
        headers.put("eta", null);         // ISO 8601 time to run at, null = now
        headers.put("expires", null);
        headers.put("retries", 0);
        headers.put("timelimit", Arrays.asList(null, null)); // [hard, soft] seconds: the order Celery sends and reads
        headers.put("argsrepr", o.get("--args"));            // for logs and monitors only
        headers.put("kwargsrepr", o.get("--kwargs"));
        headers.put("origin", "java@" + InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid());
        // No "ignore_result": false would override a task declared ignore_result=True (see send_task.py).
        // ... and the body is [args, kwargs, embed], where embed holds the workflow links.
        JsonObject embed = new JsonObject();
        for (String link : new String[] {"callbacks", "errbacks", "chain", "chord"}) {
            embed.add(link, JsonNull.INSTANCE);
        }
        JsonArray body = new JsonArray();
        body.add(JsonParser.parseString(o.get("--args")));
        body.add(JsonParser.parseString(o.get("--kwargs")));
        body.add(embed);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json") // the serializer: the worker accepts JSON only
                .contentEncoding("utf-8")
                .correlationId(taskId)
                .replyTo(REPLY_TO)               // where an rpc:// worker sends the result
                .deliveryMode(2)                 // persistent
                .priority(0)
                .headers(headers)
                .build();

        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqpUrl);
        Connection connection;
        try {
            connection = factory.newConnection();
        } catch (IOException | TimeoutException e) {
            System.err.printf(" [!] Cannot connect to RabbitMQ at %s:%d: %s%n", factory.getHost(), factory.getPort(), e);
            System.exit(1);
            return;
        }
        int code;
        try (connection) {
            Channel channel = connection.createChannel();
            // Direct reply-to: consume from the pseudo-queue (auto-ack) before publishing.
            BlockingQueue<Delivery> replies = new ArrayBlockingQueue<>(10);
            channel.basicConsume(REPLY_TO, true, (tag, delivery) -> replies.offer(delivery), tag -> { });
            // Publisher confirms: the broker answers each message, ack or nack. With mandatory, a
            // message no queue takes is returned, not lost.
            AtomicBoolean returned = new AtomicBoolean(false);
            channel.addReturnListener(message -> returned.set(true));
            channel.confirmSelect();
            // The broker's answer to this message, from a confirm listener. Not waitForConfirms():
            // it takes a message off its unconfirmed set before it records a nack, so a waiter
            // that looks in between reads a nack as an ack (ChannelN.handleAckNack).
            long seqNo = channel.getNextPublishSeqNo();
            CompletableFuture<Boolean> answer = new CompletableFuture<>();
            channel.addConfirmListener(
                    (tag, multiple) -> { if (tag == seqNo || (multiple && tag > seqNo)) answer.complete(true); },
                    (tag, multiple) -> { if (tag == seqNo || (multiple && tag > seqNo)) answer.complete(false); });
            // The default exchange routes to the queue named by the routing key, as Celery does.
            channel.basicPublish("", queue, true, properties,
                    new GsonBuilder().serializeNulls().create().toJson(body).getBytes(StandardCharsets.UTF_8));
            boolean acked; // false: the broker nacked it, or did not answer in 5 s
            try {
                acked = answer.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                acked = false;
            }
            if (returned.get()) {
                System.out.printf(" [!] No queue '%s' on the broker: start the worker first (it declares it).%n", queue);
                code = 1;
            } else if (!acked) { // a full queue with x-overflow reject-publish, for example
                System.out.printf(" [!] The broker refused the message (nack): queue '%s' did not take it.%n", queue);
                code = 1;
            } else {
                System.out.printf(" [x] Sent %s[%s] args=%s kwargs=%s%n", task, taskId, o.get("--args"), o.get("--kwargs"));
                code = waitForResult(replies, task, taskId, queue, timeout);
            }
        }
        System.exit(code);
    }

    static int waitForResult(BlockingQueue<Delivery> replies, String task, String taskId, String queue,
                             double timeout) throws InterruptedException {
        // The rpc:// backend's reply: {"task_id": ..., "status": ..., "result": ..., "traceback": ...}
        long started = System.nanoTime();
        long deadline = started + (long) (timeout * 1e9);
        for (long left = deadline - started; left > 0; left = deadline - System.nanoTime()) {
            Delivery reply = replies.poll(left, TimeUnit.NANOSECONDS);
            if (reply == null || !taskId.equals(reply.getProperties().getCorrelationId())) {
                continue; // timed out, or a reply to some other message
            }
            JsonObject meta = JsonParser.parseString(new String(reply.getBody(), StandardCharsets.UTF_8)).getAsJsonObject();
            String status = meta.get("status").getAsString();
            long ms = (System.nanoTime() - started) / 1_000_000;
            if (status.equals("SUCCESS")) {
                System.out.printf(" [.] Got %s (reply in %s, %d ms)%n", meta.get("result"), REPLY_TO, ms);
                return 0;
            }
            if (status.equals("FAILURE") || status.equals("REVOKED")) {
                JsonObject error = meta.getAsJsonObject("result"); // {"exc_type", "exc_message": [...], "exc_module"}
                StringBuilder messages = new StringBuilder();
                for (JsonElement message : error.getAsJsonArray("exc_message")) {
                    messages.append(messages.length() > 0 ? ", " : "").append(message);
                }
                String type = error.get("exc_type").getAsString();
                System.out.printf(" [!] The worker answered %s: %s(%s)%n", status, type, messages);
                if (type.equals("NotRegistered")) {
                    System.out.printf(" [!] No worker knows a task named '%s': it rejected the message.%n", task);
                }
                return 2;
            }
        }
        System.out.printf(" [!] Timed out: no result for %s[%s] after %s s. No worker that knows '%s' took it from "
                + "queue '%s' (Celery would call it PENDING: unknown).%n", task, taskId, timeout, task, queue);
        return 1;
    }
}
