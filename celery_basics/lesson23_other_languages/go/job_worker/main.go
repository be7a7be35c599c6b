// Lesson 23, a job worker in Go (amqp091-go): takes JSON jobs from any language, acks each when done.
//
//	go run ./go/job_worker --prefetch 1
//
// A message that is not a job is rejected without requeue: the queue's dead-letter arguments
// move it to 'lesson23_jobs_dead'. Ctrl+C (or SIGTERM) stops it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

type job struct {
	ID      string   `json:"id"`
	Seconds *float64 `json:"seconds"`
}

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
	prefetch := flag.Int("prefetch", 1, "unacknowledged jobs this worker may hold")
	flag.Parse()

	conn, err := amqp.Dial(amqpURL)
	u, _ := url.Parse(amqpURL)
	failOnError(err, "Cannot connect to RabbitMQ at "+u.Host)
	ch, err := conn.Channel()
	failOnError(err, "Cannot open a channel")
	// durable, with the same dead-letter arguments as every other program (see send_jobs.py)
	_, err = ch.QueueDeclare("lesson23_jobs", true, false, false, false, amqp.Table{
		"x-dead-letter-exchange":    "",
		"x-dead-letter-routing-key": "lesson23_jobs_dead",
	})
	failOnError(err, "Cannot declare the queue")
	_, err = ch.QueueDeclare("lesson23_jobs_dead", true, false, false, false, nil)
	failOnError(err, "Cannot declare the dead-letter queue")
	failOnError(ch.Qos(*prefetch, 0, false), "Cannot set the prefetch")
	deliveries, err := ch.Consume("lesson23_jobs", "", false, false, false, false, nil)
	failOnError(err, "Cannot consume")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)

	fmt.Println(" [*] Waiting for jobs. To exit press CTRL+C")
	for {
		select {
		case <-stop:
			conn.Close()
			fmt.Println(" [x] Bye")
			return
		case d, ok := <-deliveries:
			if !ok {
				fmt.Fprintln(os.Stderr, " [!] The broker closed the connection.")
				os.Exit(1)
			}
			var j job
			if json.Unmarshal(d.Body, &j) != nil || j.ID == "" || j.Seconds == nil {
				d.Reject(false) // requeue = false: dead-lettered, not redelivered forever
				fmt.Println(" [!] Rejected a message that is not a job: dead-lettered to lesson23_jobs_dead")
				continue
			}
			time.Sleep(time.Duration(*j.Seconds * float64(time.Second)))
			d.Ack(false)
			fmt.Printf(" [x] Done %s\n", j.ID)
		}
	}
}
