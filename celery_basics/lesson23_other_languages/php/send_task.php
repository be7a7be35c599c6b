<?php
// Lesson 23, sending a Celery task from PHP: php-amqplib builds the message, php-redis reads the result.
//
//   php php/send_task.php --args '[2, 3]'
//   php php/send_task.php --task lesson23.nope --timeout 3
//
// The message is the same as send_task.py's: Celery's protocol v2, headers + JSON body
// [args, kwargs, embed]. https://docs.celeryq.dev/en/stable/internals/protocol.html
//
// Debian's php-amqplib lives in /usr/share/php; after `composer install` here, Composer's is used.
require_once is_file(__DIR__ . '/vendor/autoload.php') ? __DIR__ . '/vendor/autoload.php'
    : '/usr/share/php/PhpAmqpLib/autoload.php';

use PhpAmqpLib\Connection\AMQPStreamConnection;
use PhpAmqpLib\Exception\AMQPTimeoutException;
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

function uuid4(): string
{
    $b = random_bytes(16);
    $b[6] = chr(ord($b[6]) & 0x0f | 0x40);
    $b[8] = chr(ord($b[8]) & 0x3f | 0x80);
    return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($b), 4));
}

function main(): int
{
    $amqpUrl = getenv('AMQP_URL') ?: 'amqp://course:course@127.0.0.1:5672/%2F';
    $redisUrl = getenv('REDIS_URL') ?: 'redis://127.0.0.1:6379/0';
    $o = getopt('', ['task:', 'args:', 'kwargs:', 'queue:', 'timeout:']);
    $task = $o['task'] ?? 'lesson23.add';
    $argsJson = $o['args'] ?? '[2, 3]';
    $kwargsJson = $o['kwargs'] ?? '{}';
    $queue = $o['queue'] ?? 'lesson23_other_languages';
    $timeout = (float)($o['timeout'] ?? 10);
    $args = json_decode($argsJson, true);
    $kwargs = (object)json_decode($kwargsJson, true);  // (object): {} stays an object, not []
    $taskId = uuid4();

    // Celery's message protocol v2: everything about the task is in the headers ...
    $headers = new AMQPTable([
        'lang' => 'py',          // the language the task is written in
        'task' => $task,         // the name the worker looks up in its registry
        'id' => $taskId,
        'root_id' => $taskId,    // the first task of a workflow; this one is alone
        'parent_id' => null,
        'group' => null,
        'shadow' => null,
        'eta' => null,           // ISO 8601 time to run at, null = now
        'expires' => null,
        'retries' => 0,
        'timelimit' => [null, null],  // [hard, soft] seconds: the order Celery sends and reads
        'argsrepr' => $argsJson,      // for logs and monitors only
        'kwargsrepr' => $kwargsJson,
        'origin' => 'php@' . gethostname() . ':' . getmypid(),
        // No 'ignore_result': false would override a task declared ignore_result=True (see send_task.py).
    ]);
    // ... and the body is [args, kwargs, embed], where embed holds the workflow links.
    $body = json_encode([$args, $kwargs, ['callbacks' => null, 'errbacks' => null, 'chain' => null, 'chord' => null]]);
    $message = new AMQPMessage($body, [
        'content_type' => 'application/json',  // the serializer: the worker accepts JSON only
        'content_encoding' => 'utf-8',
        'correlation_id' => $taskId,
        'delivery_mode' => AMQPMessage::DELIVERY_MODE_PERSISTENT,
        'priority' => 0,
        'application_headers' => $headers,
    ]);

    $connection = connect($amqpUrl);
    $channel = $connection->channel();
    $channel->confirm_select();  // publisher confirms: the broker answers each message, ack or nack
    $returned = $nacked = false;
    // mandatory: a message no queue takes is returned, not lost
    $channel->set_return_listener(function () use (&$returned) { $returned = true; });
    $channel->set_nack_handler(function () use (&$nacked) { $nacked = true; });
    $channel->basic_publish($message, '', $queue, true);  // default exchange, routing key = queue
    try {
        $channel->wait_for_pending_acks_returns(5);
    } catch (AMQPTimeoutException $e) {
        $nacked = true;  // no answer within 5 s: treat it as not taken
    }
    $channel->close();
    $connection->close();
    if ($returned) {
        echo " [!] No queue '$queue' on the broker: start the worker first (it declares it).\n";
        return 1;
    }
    if ($nacked) {  // a full queue with x-overflow reject-publish, for example
        echo " [!] The broker refused the message (nack): queue '$queue' did not take it.\n";
        return 1;
    }
    echo " [x] Sent {$task}[{$taskId}] args={$argsJson} kwargs={$kwargsJson}\n";

    // The result backend: the worker stores a JSON document under celery-task-meta-<id>.
    $r = parse_url($redisUrl);
    $redis = new Redis();
    $redis->connect($r['host'], $r['port'] ?? 6379, 3.0);
    $redis->select((int)ltrim($r['path'] ?? '/0', '/'));
    $key = "celery-task-meta-$taskId";
    $started = microtime(true);
    while (microtime(true) - $started < $timeout) {
        $stored = $redis->get($key);
        if ($stored !== false) {
            $meta = json_decode($stored, true);
            $ms = round(1000 * (microtime(true) - $started));
            if ($meta['status'] === 'SUCCESS') {
                echo " [.] Got " . json_encode($meta['result']) . " ($key, $ms ms)\n";
                return 0;
            }
            if ($meta['status'] === 'FAILURE' || $meta['status'] === 'REVOKED') {
                $error = $meta['result'];  // {"exc_type": ..., "exc_message": [...], "exc_module": ...}
                $messages = implode(', ', array_map('json_encode', $error['exc_message']));
                echo " [!] The worker answered {$meta['status']}: {$error['exc_type']}($messages)\n";
                if ($error['exc_type'] === 'NotRegistered') {
                    echo " [!] No worker knows a task named '$task': it rejected the message.\n";
                }
                return 2;
            }
        }
        usleep(50000);
    }
    echo " [!] Timed out: no result for {$task}[{$taskId}] after {$timeout} s. No worker that knows '$task' "
        . "took it from queue '$queue' (Celery would call it PENDING: unknown).\n";
    return 1;
}

exit(main());
