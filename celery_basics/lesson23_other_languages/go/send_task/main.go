// Lesson 23, sending a Celery task from Go: amqp091-go builds the message, redigo reads the result.
//
//	go run ./go/send_task --args '[2, 3]'
//	go run ./go/send_task --task lesson23.nope --timeout 3
//
// The message is the same as send_task.py's: Celery's protocol v2, headers + JSON body
// [args, kwargs, embed]. https://docs.celeryq.dev/en/stable/internals/protocol.html
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/gomodule/redigo/redis"
	amqp "github.com/rabbitmq/amqp091-go"
)

// failOnError ends the program with one line, as the RabbitMQ tutorials' Go helper of that name does.
func failOnError(err error, msg string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, " [!] %s: %v\n", msg, err)
		os.Exit(1)
	}
}

func getenv(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func uuid4() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func main() {
	amqpURL := getenv("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
	redisURL := getenv("REDIS_URL", "redis://127.0.0.1:6379/0")
	task := flag.String("task", "lesson23.add", "the task's registered name")
	argsJSON := flag.String("args", "[2, 3]", "positional arguments, a JSON list")
	kwargsJSON := flag.String("kwargs", "{}", "keyword arguments, a JSON object")
	queue := flag.String("queue", "lesson23_other_languages", "the queue the worker reads")
	timeout := flag.Float64("timeout", 10, "seconds to wait for the result")
	flag.Parse()
	var args, kwargs any
	failOnError(json.Unmarshal([]byte(*argsJSON), &args), "--args is not JSON")
	failOnError(json.Unmarshal([]byte(*kwargsJSON), &kwargs), "--kwargs is not JSON")
	taskID := uuid4()
	host, _ := os.Hostname()

	// Celery's message protocol v2: everything about the task is in the headers ...
	headers := amqp.Table{
		"lang":       "py",  // the language the task is written in
		"task":       *task, // the name the worker looks up in its registry
		"id":         taskID,
		"root_id":    taskID, // the first task of a workflow; this one is alone
		"parent_id":  nil,
		"group":      nil,
		"shadow":     nil,
		"eta":        nil, // ISO 8601 time to run at, nil = now
		"expires":    nil,
		"retries":    0,
		"timelimit":  []any{nil, nil}, // [hard, soft] seconds: the order Celery sends and reads
		"argsrepr":   *argsJSON,       // for logs and monitors only
		"kwargsrepr": *kwargsJSON,
		"origin":     fmt.Sprintf("go@%s:%d", host, os.Getpid()),
		// No "ignore_result": false would override a task declared ignore_result=True (see send_task.py).
	}
	// ... and the body is [args, kwargs, embed], where embed holds the workflow links.
	embed := map[string]any{"callbacks": nil, "errbacks": nil, "chain": nil, "chord": nil}
	body, _ := json.Marshal([]any{args, kwargs, embed})

	conn, err := amqp.Dial(amqpURL)
	u, _ := url.Parse(amqpURL)
	failOnError(err, "Cannot connect to RabbitMQ at "+u.Host)
	ch, err := conn.Channel()
	failOnError(err, "Cannot open a channel")
	// Publisher confirms: the broker answers each message, ack or nack. With mandatory, a message
	// no queue takes is returned, not lost.
	failOnError(ch.Confirm(false), "Cannot turn on publisher confirms")
	returns := ch.NotifyReturn(make(chan amqp.Return, 1))
	// NotifyPublish, not PublishWithDeferredConfirm: Debian 12's amqp091-go 1.5.0 can lose a
	// deferred confirm that arrives very fast, and Wait() then hangs (amqp091-go#182, fixed in 1.8.0).
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, 1))
	// The default exchange routes to the queue named by the routing key, as Celery does.
	err = ch.PublishWithContext(context.Background(), "", *queue, true, false, amqp.Publishing{
		ContentType:     "application/json", // the serializer: the worker accepts JSON only
		ContentEncoding: "utf-8",
		CorrelationId:   taskID,
		DeliveryMode:    amqp.Persistent,
		Priority:        0, // amqp091-go leaves out properties at their zero value: the same as 0
		Headers:         headers,
		Body:            body,
	})
	failOnError(err, "Cannot publish")
	var confirm amqp.Confirmation
	select {
	case confirm = <-confirms:
	case <-time.After(5 * time.Second):
		failOnError(fmt.Errorf("no confirm within 5 s"), "The broker did not confirm the message")
	}
	select { // before Close, which closes the returns channel too
	case <-returns: // the broker sends the return before the confirm
		fmt.Printf(" [!] No queue '%s' on the broker: start the worker first (it declares it).\n", *queue)
		os.Exit(1)
	default:
	}
	if !confirm.Ack { // a nack: a full queue with x-overflow reject-publish, for example
		fmt.Printf(" [!] The broker refused the message (nack): queue '%s' did not take it.\n", *queue)
		os.Exit(1)
	}
	conn.Close()
	fmt.Printf(" [x] Sent %s[%s] args=%s kwargs=%s\n", *task, taskID, *argsJSON, *kwargsJSON)

	// The result backend: the worker stores a JSON document under celery-task-meta-<id>.
	backend, err := redis.DialURL(redisURL, redis.DialConnectTimeout(3*time.Second))
	failOnError(err, "Cannot connect to Redis")
	defer backend.Close()
	key := "celery-task-meta-" + taskID
	started := time.Now()
	for time.Since(started).Seconds() < *timeout {
		stored, err := redis.Bytes(backend.Do("GET", key))
		if err == nil {
			var meta struct {
				Status string          `json:"status"`
				Result json.RawMessage `json:"result"`
			}
			failOnError(json.Unmarshal(stored, &meta), "The result is not JSON")
			switch meta.Status {
			case "SUCCESS":
				fmt.Printf(" [.] Got %s (%s, %d ms)\n", meta.Result, key, time.Since(started).Milliseconds())
				return
			case "FAILURE", "REVOKED":
				var failure struct {
					ExcType    string `json:"exc_type"`
					ExcMessage []any  `json:"exc_message"`
				}
				json.Unmarshal(meta.Result, &failure)
				texts := make([]string, len(failure.ExcMessage))
				for i, m := range failure.ExcMessage {
					text, _ := json.Marshal(m)
					texts[i] = string(text)
				}
				fmt.Printf(" [!] The worker answered %s: %s(%s)\n", meta.Status, failure.ExcType, strings.Join(texts, ", "))
				if failure.ExcType == "NotRegistered" {
					fmt.Printf(" [!] No worker knows a task named '%s': it rejected the message.\n", *task)
				}
				os.Exit(2)
			}
		} else if err != redis.ErrNil {
			failOnError(err, "Cannot read the result from Redis")
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf(" [!] Timed out: no result for %s[%s] after %g s. No worker that knows '%s' took it from queue '%s' "+
		"(Celery would call it PENDING: unknown).\n", *task, taskID, *timeout, *task, *queue)
	os.Exit(1)
}
