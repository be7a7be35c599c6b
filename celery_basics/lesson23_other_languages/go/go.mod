module example.com/lesson23

go 1.19

require (
	github.com/gomodule/redigo v1.8.3
	github.com/rabbitmq/amqp091-go v1.5.0
)
