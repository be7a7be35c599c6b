<?php
// Lesson 23, a job producer in PHP (php-amqplib): the same JSON jobs as send_jobs.py.
//
//   php php/send_jobs.php --count 3 --seconds 1
//
// Debian's php-amqplib lives in /usr/share/php; after `composer install` here, Composer's is used.
require_once is_file(__DIR__ . '/vendor/autoload.php') ? __DIR__ . '/vendor/autoload.php'
    : '/usr/share/php/PhpAmqpLib/autoload.php';

use PhpAmqpLib\Connection\AMQPStreamConnection;
use PhpAmqpLib\Message\AMQPMessage;
use PhpAmqpLib\Wire\AMQPTable;

function connect(string $url): AMQPStreamConnection
{
    // php-amqplib takes the parts of amqp://user:password@host:port/vhost one by one.
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
    $options = getopt('', ['count:', 'seconds:']);
    $count = (int)($options['count'] ?? 3);
    $seconds = (float)($options['seconds'] ?? 1.0);

    $connection = connect($amqpUrl);
    $channel = $connection->channel();
    // durable, with the same dead-letter arguments as every other program (see send_jobs.py)
    $channel->queue_declare('lesson23_jobs', false, true, false, false, false, new AMQPTable([
        'x-dead-letter-exchange' => '',
        'x-dead-letter-routing-key' => 'lesson23_jobs_dead',
    ]));
    for ($n = 1; $n <= $count; $n++) {
        $job = ['id' => "php-$n", 'sent_by' => 'php', 'seconds' => $seconds];
        $message = new AMQPMessage(json_encode($job), [
            'content_type' => 'application/json',
            'delivery_mode' => AMQPMessage::DELIVERY_MODE_PERSISTENT,
        ]);
        $channel->basic_publish($message, '', 'lesson23_jobs');
        echo " [x] Sent {$job['id']}\n";
    }
    $channel->close();
    $connection->close();
}

main();
