// Lesson 23, a job worker in Go (amqp091-go): takes JSON jobs from any language, acks each when done.
//
//	go run ./go/job_worker --prefetch 1
//
// A message that breaks the rule of whyNotAJob (the same rule in every language) is rejected
// without requeue: the queue's dead-letter arguments move it to 'lesson23_jobs_dead', and the
// worker goes on with the next one. Ctrl+C (or SIGTERM) stops it.
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

const maxSeconds = 60 // the longest job any worker here accepts

// whyNotAJob says why the message is not a job, or "" when it is one, with its id and seconds.
// The rule, the same in every language: content_type application/json, a JSON object whose "id"
// is a non-empty string and whose "seconds" is a number from 0 to maxSeconds.
func whyNotAJob(d amqp.Delivery) (reason, id string, seconds float64) {
	if d.ContentType != "application/json" {
		return "content_type is not application/json", "", 0
	}
	if !json.Valid(d.Body) {
		return "not JSON", "", 0
	}
	var job map[string]json.RawMessage // 42 or [1] do not fit a map: not an object
	if json.Unmarshal(d.Body, &job) != nil || job == nil {
		return "not a JSON object", "", 0
	}
	// Unmarshal into a pointer: a missing field or null leaves it nil, "1" (a string) is an error.
	var jobID *string
	if json.Unmarshal(job["id"], &jobID) != nil || jobID == nil || *jobID == "" {
		return "id is not a non-empty string", "", 0
	}
	var s *float64
	if json.Unmarshal(job["seconds"], &s) != nil || s == nil || *s < 0 || *s > maxSeconds {
		return fmt.Sprintf("seconds is not a number from 0 to %d", maxSeconds), "", 0
	}
	return "", *jobID, *s
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
			reason, id, seconds := whyNotAJob(d)
			if reason != "" {
				d.Reject(false) // requeue = false: dead-lettered, not redelivered forever
				fmt.Printf(" [!] Rejected (%s): dead-lettered to lesson23_jobs_dead\n", reason)
				continue
			}
			time.Sleep(time.Duration(seconds * float64(time.Second)))
			d.Ack(false)
			// redelivered: the broker gave it to a worker before, which did not ack it (it died?)
			if d.Redelivered {
				fmt.Printf(" [x] Done %s (redelivered)\n", id)
			} else {
				fmt.Printf(" [x] Done %s\n", id)
			}
		}
	}
}
