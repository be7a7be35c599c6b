# Lesson 23, a job producer in Ruby (bunny): the same JSON jobs as send_jobs.py.
#
#   ruby ruby/send_jobs.rb --count 3 --seconds 1
require "bunny"
require "json"
require "optparse"

AMQP_URL = ENV.fetch("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
options = { count: 3, seconds: 1.0 }
OptionParser.new do |o|
  o.on("--count N", Integer, "how many jobs to send") { |v| options[:count] = v }
  o.on("--seconds S", Float, "how long each job takes a worker") { |v| options[:seconds] = v }
end.parse!
$stdout.sync = true # print each line at once, also into a pipe

connection = Bunny.new(AMQP_URL, automatically_recover: false, logger: Logger.new(nil))
begin
  connection.start
rescue Bunny::Exception, SystemCallError => e
  warn " [!] Cannot connect to RabbitMQ at #{connection.host}:#{connection.port}: #{e.message}"
  exit 1
end
channel = connection.create_channel
# durable, with the same dead-letter arguments as every other program (see send_jobs.py)
queue = channel.queue("lesson23_jobs", durable: true,
                      arguments: { "x-dead-letter-exchange" => "", "x-dead-letter-routing-key" => "lesson23_jobs_dead" })
(1..options[:count]).each do |n|
  job = { id: "ruby-#{n}", sent_by: "ruby", seconds: options[:seconds] }
  channel.default_exchange.publish(job.to_json, routing_key: queue.name,
                                   content_type: "application/json", persistent: true)
  puts " [x] Sent #{job[:id]}"
end
connection.close
