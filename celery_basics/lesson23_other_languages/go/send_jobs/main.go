// Lesson 23, a job producer in Go (amqp091-go): the same JSON jobs as send_jobs.py.
//
//	go run ./go/send_jobs --count 3 --seconds 1
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"

	amqp "github.com/rabbitmq/amqp091-go"
)

// failOnError ends the program with one line, as the RabbitMQ tutorials' Go helper of that name does.
func failOnError(err error, msg string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, " [!] %s: %v\n", msg, err)
		os.Exit(1)
	}
}

func main() {
	amqpURL := os.Getenv("AMQP_URL")
	if amqpURL == "" {
		amqpURL = "amqp://course:course@127.0.0.1:5672/%2F"
	}
	count := flag.Int("count", 3, "how many jobs to send")
	seconds := flag.Float64("seconds", 1.0, "how long each job takes a worker")
	flag.Parse()

	conn, err := amqp.Dial(amqpURL)
	u, _ := url.Parse(amqpURL)
	failOnError(err, "Cannot connect to RabbitMQ at "+u.Host)
	defer conn.Close()
	ch, err := conn.Channel()
	failOnError(err, "Cannot open a channel")
	// durable, with the same dead-letter arguments as every other program (see send_jobs.py)
	_, err = ch.QueueDeclare("lesson23_jobs", true, false, false, false, amqp.Table{
		"x-dead-letter-exchange":    "",
		"x-dead-letter-routing-key": "lesson23_jobs_dead",
	})
	failOnError(err, "Cannot declare the queue")
	for n := 1; n <= *count; n++ {
		job := map[string]any{"id": fmt.Sprintf("go-%d", n), "sent_by": "go", "seconds": *seconds}
		body, _ := json.Marshal(job)
		err = ch.PublishWithContext(context.Background(), "", "lesson23_jobs", false, false, amqp.Publishing{
			ContentType:  "application/json",
			DeliveryMode: amqp.Persistent,
			Body:         body,
		})
		failOnError(err, "Cannot publish")
		fmt.Printf(" [x] Sent %s\n", job["id"])
	}
}
