<?php
// Lesson 23, a job worker in PHP (php-amqplib): takes JSON jobs from any language, acks each when done.
//
//   php php/job_worker.php --prefetch 1
//
// A message that is not a job is rejected without requeue: the queue's dead-letter arguments
// move it to 'lesson23_jobs_dead'. Ctrl+C (or SIGTERM) stops it after the job in hand.
require_once '/usr/share/php/PhpAmqpLib/autoload.php';

use PhpAmqpLib\Connection\AMQPStreamConnection;
use PhpAmqpLib\Message\AMQPMessage;
use PhpAmqpLib\Wire\AMQPTable;

function connect(string $url): AMQPStreamConnection
{
    $p = parse_url($url);
    $vhost = isset($p['path']) && strlen($p['path']) > 1 ? rawurldecode(substr($p['path'], 1)) : '/';
    try {
        return new AMQPStreamConnection($p['host'], $p['port'] ?? 5672, rawurldecode($p['user'] ?? 'guest'),
            rawurldecode($p['pass'] ?? 'guest'), $vhost, false, 'AMQPLAIN', null, 'en_US', 3.0, 3.0);
    } catch (Exception $e) {
        fwrite(STDERR, " [!] Cannot connect to RabbitMQ at {$p['host']}:" . ($p['port'] ?? 5672) . ": {$e->getMessage()}\n");
        exit(1);
    }
}

function main(): void
{
    $amqpUrl = getenv('AMQP_URL') ?: 'amqp://course:course@127.0.0.1:5672/%2F';
    $options = getopt('', ['prefetch:']);

    $connection = connect($amqpUrl);
    $channel = $connection->channel();
    $channel->queue_declare('lesson23_jobs', false, true, false, false, false, new AMQPTable([
        'x-dead-letter-exchange' => '',
        'x-dead-letter-routing-key' => 'lesson23_jobs_dead',
    ]));
    $channel->queue_declare('lesson23_jobs_dead', false, true, false, false);
    $channel->basic_qos(0, (int)($options['prefetch'] ?? 1), false);

    $onMessage = function (AMQPMessage $message) {
        $job = json_decode($message->getBody(), true);
        if (!is_array($job) || !isset($job['id'], $job['seconds'])) {
            $message->nack(false);  // requeue = false: dead-lettered, not redelivered forever
            echo " [!] Rejected a message that is not a job: dead-lettered to lesson23_jobs_dead\n";
            return;
        }
        usleep((int)($job['seconds'] * 1e6));
        $message->ack();
        echo " [x] Done {$job['id']}\n";
    };
    $channel->basic_consume('lesson23_jobs', '', false, false, false, false, $onMessage);

    pcntl_async_signals(true);  // Ctrl+C ends the loop below instead of killing PHP mid-job
    foreach ([SIGINT, SIGTERM] as $signal) {
        pcntl_signal($signal, fn() => $channel->stopConsume());
    }
    echo " [*] Waiting for jobs. To exit press CTRL+C\n";
    $channel->consume();
    $channel->close();
    $connection->close();
    echo " [x] Bye\n";
}

main();
