// Lesson 23, a job producer in Java (the RabbitMQ Java client, Gson for JSON): the same JSON jobs
// as send_jobs.py.
//
//   CP=/usr/share/java/amqp-client.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar:/usr/share/java/gson.jar
//   java -cp $CP java/SendJobs.java --count 3 --seconds 1
//
// Java 11 and later run a single source file like this without a separate javac step.
import com.google.gson.Gson;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeoutException;

public class SendJobs {
    public static void main(String[] argv) throws Exception {
        String amqpUrl = System.getenv().getOrDefault("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F");
        int count = 3;
        double seconds = 1.0;
        for (int i = 0; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--count" -> count = Integer.parseInt(argv[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(argv[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }

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
        try (connection; Channel channel = connection.createChannel()) {
            // durable, with the same dead-letter arguments as every other program (see send_jobs.py)
            channel.queueDeclare("lesson23_jobs", true, false, false, Map.of(
                    "x-dead-letter-exchange", "",
                    "x-dead-letter-routing-key", "lesson23_jobs_dead"));
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType("application/json")
                    .deliveryMode(2) // persistent
                    .build();
            for (int n = 1; n <= count; n++) {
                Map<String, Object> job = Map.of("id", "java-" + n, "sent_by", "java", "seconds", seconds);
                channel.basicPublish("", "lesson23_jobs", properties,
                        new Gson().toJson(job).getBytes(StandardCharsets.UTF_8));
                System.out.println(" [x] Sent " + job.get("id"));
            }
        }
    }
}
