"""Part 1: RabbitMQ with pika, from hello world to the management plugin."""
