# Lesson 23, a job worker in Ruby (bunny): takes JSON jobs from any language, acks each when done.
#
#   ruby ruby/job_worker.rb --prefetch 1
#
# A message that is not a job is rejected without requeue: the queue's dead-letter arguments
# move it to 'lesson23_jobs_dead'. Ctrl+C (or SIGTERM) stops it.
require "bunny"
require "json"
require "optparse"

AMQP_URL = ENV.fetch("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
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
  queue.subscribe(manual_ack: true, block: true) do |delivery, _properties, body|
    job = JSON.parse(body)
    sleep job.fetch("seconds")
    channel.ack(delivery.delivery_tag)
    puts " [x] Done #{job.fetch('id')}"
  rescue JSON::ParserError, KeyError, TypeError
    channel.reject(delivery.delivery_tag, false) # requeue = false: dead-lettered, not redelivered forever
    puts " [!] Rejected a message that is not a job: dead-lettered to lesson23_jobs_dead"
  end
rescue Interrupt
  connection.close
  puts " [x] Bye"
end
