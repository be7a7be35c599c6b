# Lesson 23, sending a Celery task from Ruby: bunny builds the message, the redis gem reads the result.
#
#   ruby ruby/send_task.rb --args '[2, 3]'
#   ruby ruby/send_task.rb --task lesson23.nope --timeout 3
#
# The message is the same as send_task.py's: Celery's protocol v2, headers + JSON body
# [args, kwargs, embed]. https://docs.celeryq.dev/en/stable/internals/protocol.html
require "bunny"
require "json"
require "optparse"
require "redis"
require "securerandom"
require "socket"

AMQP_URL = ENV.fetch("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = ENV.fetch("REDIS_URL", "redis://127.0.0.1:6379/0")

def main
  o = { task: "lesson23.add", args: "[2, 3]", kwargs: "{}", queue: "lesson23_other_languages", timeout: 10.0 }
  OptionParser.new do |p|
    p.on("--task NAME", "the task's registered name") { |v| o[:task] = v }
    p.on("--args JSON", "positional arguments, a JSON list") { |v| o[:args] = v }
    p.on("--kwargs JSON", "keyword arguments, a JSON object") { |v| o[:kwargs] = v }
    p.on("--queue NAME", "the queue the worker reads") { |v| o[:queue] = v }
    p.on("--timeout SECONDS", Float, "seconds to wait for the result") { |v| o[:timeout] = v }
  end.parse!
  $stdout.sync = true
  task_id = SecureRandom.uuid

  # Celery's message protocol v2: everything about the task is in the headers ...
  headers = {
    "lang" => "py",          # the language the task is written in
    "task" => o[:task],      # the name the worker looks up in its registry
    "id" => task_id,
    "root_id" => task_id,    # the first task of a workflow; this one is alone
    "parent_id" => nil,
    "group" => nil,
    "shadow" => nil,
    "eta" => nil,            # ISO 8601 time to run at, nil = now
    "expires" => nil,
    "retries" => 0,
    "timelimit" => [nil, nil], # [hard, soft] seconds: the order Celery sends and reads
    "argsrepr" => o[:args],    # for logs and monitors only
    "kwargsrepr" => o[:kwargs],
    "origin" => "ruby@#{Socket.gethostname}:#{Process.pid}",
    # No "ignore_result": false would override a task declared ignore_result=True (see send_task.py).
  }
  # ... and the body is [args, kwargs, embed], where embed holds the workflow links.
  body = [JSON.parse(o[:args]), JSON.parse(o[:kwargs]),
          { callbacks: nil, errbacks: nil, chain: nil, chord: nil }].to_json

  connection = Bunny.new(AMQP_URL, automatically_recover: false, logger: Logger.new(nil))
  begin
    connection.start
  rescue Bunny::Exception, SystemCallError => e
    warn " [!] Cannot connect to RabbitMQ at #{connection.host}:#{connection.port}: #{e.message}"
    return 1
  end
  channel = connection.create_channel
  channel.confirm_select # publisher confirms: the broker answers each message, ack or nack
  returned = false # mandatory: a message no queue takes is returned, not lost
  exchange = channel.default_exchange # routes to the queue named by the routing key, as Celery does
  exchange.on_return { returned = true }
  exchange.publish(body, routing_key: o[:queue], mandatory: true, headers: headers,
                   content_type: "application/json", # the worker accepts JSON only
                   content_encoding: "utf-8", correlation_id: task_id, persistent: true, priority: 0)
  confirmed = channel.wait_for_confirms # false when the broker nacked it
  connection.close
  if returned
    puts " [!] No queue '#{o[:queue]}' on the broker: start the worker first (it declares it)."
    return 1
  end
  unless confirmed # a full queue with x-overflow reject-publish, for example
    puts " [!] The broker refused the message (nack): queue '#{o[:queue]}' did not take it."
    return 1
  end
  puts " [x] Sent #{o[:task]}[#{task_id}] args=#{o[:args]} kwargs=#{o[:kwargs]}"

  # The result backend: the worker stores a JSON document under celery-task-meta-<id>.
  redis = Redis.new(url: REDIS_URL, connect_timeout: 3)
  key = "celery-task-meta-#{task_id}"
  started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  while (elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) < o[:timeout]
    stored = redis.get(key)
    if stored
      meta = JSON.parse(stored)
      case meta["status"]
      when "SUCCESS"
        puts " [.] Got #{meta['result'].to_json} (#{key}, #{(elapsed * 1000).round} ms)"
        return 0
      when "FAILURE", "REVOKED"
        error = meta["result"] # {"exc_type": ..., "exc_message": [...], "exc_module": ...}
        puts " [!] The worker answered #{meta['status']}: #{error['exc_type']}(#{error['exc_message'].map(&:to_json).join(', ')})"
        if error["exc_type"] == "NotRegistered"
          puts " [!] No worker knows a task named '#{o[:task]}': it rejected the message."
        end
        return 2
      end
    end
    sleep 0.05
  end
  puts " [!] Timed out: no result for #{o[:task]}[#{task_id}] after #{o[:timeout]} s. No worker that knows " \
       "'#{o[:task]}' took it from queue '#{o[:queue]}' (Celery would call it PENDING: unknown)."
  1
end

exit main
