# Lesson 23, a job worker in Ruby (bunny): takes JSON jobs from any language, acks each when done.
#
#   ruby ruby/job_worker.rb --prefetch 1
#
# A message that breaks the rule of why_not_a_job (the same rule in every language) is rejected
# without requeue: the queue's dead-letter arguments move it to 'lesson23_jobs_dead', and the
# worker goes on with the next one. Ctrl+C (or SIGTERM) stops it.
require "bunny"
require "json"
require "optparse"

AMQP_URL = ENV.fetch("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
MAX_SECONDS = 60 # the longest job any worker here accepts

# Why the message is not a job, or nil when it is one. The rule, the same in every language:
# content_type application/json, a JSON object whose "id" is a non-empty string and whose
# "seconds" is a number from 0 to MAX_SECONDS.
def why_not_a_job(properties, body)
  return "content_type is not application/json" unless properties.content_type == "application/json"

  job = JSON.parse(body) # 42 parses to an Integer, so check the type before using it as a Hash
  return "not a JSON object" unless job.is_a?(Hash)
  return "id is not a non-empty string" unless job["id"].is_a?(String) && !job["id"].empty?
  # Numeric: "1" (a String) and true are refused; NaN is not covered by the range.
  return "seconds is not a number from 0 to #{MAX_SECONDS}" unless job["seconds"].is_a?(Numeric) &&
                                                                   (0..MAX_SECONDS).cover?(job["seconds"])

  nil
rescue JSON::ParserError, EncodingError
  "not JSON"
end

options = { prefetch: 1 }
OptionParser.new do |o|
  o.on("--prefetch N", Integer, "unacknowledged jobs this worker may hold") { |v| options[:prefetch] = v }
end.parse!
$stdout.sync = true

connection = Bunny.new(AMQP_URL, automatically_recover: false, logger: Logger.new(nil))
begin
  connection.start
rescue Bunny::Exception, SystemCallError => e
  warn " [!] Cannot connect to RabbitMQ at #{connection.host}:#{connection.port}: #{e.message}"
  exit 1
end
channel = connection.create_channel
channel.prefetch(options[:prefetch])
queue = channel.queue("lesson23_jobs", durable: true,
                      arguments: { "x-dead-letter-exchange" => "", "x-dead-letter-routing-key" => "lesson23_jobs_dead" })
channel.queue("lesson23_jobs_dead", durable: true)
Signal.trap("TERM") { raise Interrupt } # stop on SIGTERM as on Ctrl+C

puts " [*] Waiting for jobs. To exit press CTRL+C"
begin
  queue.subscribe(manual_ack: true, block: true) do |delivery, properties, body|
    reason = why_not_a_job(properties, body)
    if reason
      channel.reject(delivery.delivery_tag, false) # requeue = false: dead-lettered, not redelivered forever
      puts " [!] Rejected (#{reason}): dead-lettered to lesson23_jobs_dead"
    else
      job = JSON.parse(body)
      sleep job["seconds"]
      channel.ack(delivery.delivery_tag)
      # redelivered: the broker gave it to a worker before, which did not ack it (it died?)
      puts " [x] Done #{job['id']}#{' (redelivered)' if delivery.redelivered?}"
    end
  end
rescue Interrupt
  connection.close
  puts " [x] Bye"
end
