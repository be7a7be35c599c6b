<?php
// Lesson 23, a job worker in PHP (php-amqplib): takes JSON jobs from any language, acks each when done.
//
//   php php/job_worker.php --prefetch 1
//
// A message that breaks the rule of whyNotAJob() (the same rule in every language) is rejected
// without requeue: the queue's dead-letter arguments move it to 'lesson23_jobs_dead', and the
// worker goes on with the next one. Ctrl+C (or SIGTERM) stops it after the job in hand.
//
// Debian's php-amqplib lives in /usr/share/php; after `composer install` here, Composer's is used.
require_once is_file(__DIR__ . '/vendor/autoload.php') ? __DIR__ . '/vendor/autoload.php'
    : '/usr/share/php/PhpAmqpLib/autoload.php';

use PhpAmqpLib\Connection\AMQPStreamConnection;
use PhpAmqpLib\Message\AMQPMessage;
use PhpAmqpLib\Wire\AMQPTable;

const MAX_SECONDS = 60;  // the longest job any worker here accepts

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

// Why the message is not a job, or null when it is one. The rule, the same in every language:
// content_type application/json, a JSON object whose "id" is a non-empty string and whose
// "seconds" is a number from 0 to MAX_SECONDS.
function whyNotAJob(AMQPMessage $message): ?string
{
    if (!$message->has('content_type') || $message->get('content_type') !== 'application/json') {
        return 'content_type is not application/json';
    }
    $job = json_decode($message->getBody());  // objects become stdClass, so 42 or [1] are told apart
    if (json_last_error() !== JSON_ERROR_NONE) {
        return 'not JSON';
    }
    if (!$job instanceof stdClass) {
        return 'not a JSON object';
    }
    if (!isset($job->id) || !is_string($job->id) || $job->id === '') {
        return 'id is not a non-empty string';
    }
    $seconds = $job->seconds ?? null;  // is_int/is_float: "1" (a string) and true are refused
    if (!(is_int($seconds) || is_float($seconds)) || !($seconds >= 0 && $seconds <= MAX_SECONDS)) {
        return 'seconds is not a number from 0 to ' . MAX_SECONDS;
    }
    return null;
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
        $reason = whyNotAJob($message);
        if ($reason !== null) {
            $message->nack(false);  // requeue = false: dead-lettered, not redelivered forever
            echo " [!] Rejected ($reason): dead-lettered to lesson23_jobs_dead\n";
            return;
        }
        $job = json_decode($message->getBody());
        usleep((int)round($job->seconds * 1e6));
        $message->ack();
        // redelivered: the broker gave it to a worker before, which did not ack it (it died?)
        echo " [x] Done {$job->id}" . ($message->isRedelivered() ? ' (redelivered)' : '') . "\n";
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
