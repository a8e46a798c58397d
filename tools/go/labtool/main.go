// Command labtool is the one program inside the lab cluster's own images: the pod sandbox
// ("pause") image and the small test image the cluster tests run. It is a static binary with
// no dependencies, so an image is this file plus an OCI config, built without a registry.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// sourceHash is set by tools/install.sh (-X main.sourceHash=...) so that a changed source is rebuilt.
var sourceHash = "dev"

const usage = `usage: labtool COMMAND
  pause              block until SIGTERM or SIGINT (the pod sandbox process)
  spin               keep one CPU busy until SIGTERM or SIGINT (load for metrics and the HPA)
  serve ADDR         answer every HTTP request with "labtool <hostname>" on ADDR (e.g. :8080)
  get URL [SECONDS]  print the body of GET URL; exit 1 if it fails or the status is not 2xx
  resolve NAME       print the addresses NAME resolves to (through /etc/resolv.conf); exit 1 if none
  write FILE TEXT    write TEXT to FILE
  cat FILE           print FILE
  version            print the source hash this binary was built from`

func main() {
	if len(os.Args) < 2 {
		fail(usage)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "pause":
		pause()
	case "spin":
		go spin()
		pause()
	case "serve":
		need(args, 1)
		serve(args[0])
	case "get":
		need(args, 1)
		timeout := 5 * time.Second
		if len(args) > 1 {
			seconds, err := time.ParseDuration(args[1] + "s")
			if err != nil {
				fail("get: bad SECONDS " + args[1])
			}
			timeout = seconds
		}
		get(args[0], timeout)
	case "resolve":
		need(args, 1)
		resolve(args[0])
	case "write":
		need(args, 2)
		if err := os.WriteFile(args[0], []byte(args[1]), 0o644); err != nil {
			fail("write: " + err.Error())
		}
	case "cat":
		need(args, 1)
		data, err := os.ReadFile(args[0])
		if err != nil {
			fail("cat: " + err.Error())
		}
		fmt.Print(string(data))
	case "version":
		fmt.Println("labtool " + sourceHash)
	default:
		fail(usage)
	}
}

func need(args []string, n int) {
	if len(args) < n {
		fail(usage)
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, message)
	os.Exit(1)
}

func pause() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	<-signals
}

// spin burns CPU: a loop that does nothing useful but cannot be optimised away. Under a CPU limit
// of 100m the cgroup's quota holds it at 0.1 CPU, which is what the metrics tests read back.
func spin() {
	x := uint64(1)
	for {
		x = x*6364136223846793005 + 1442695040888963407
		if x == 0 {
			fmt.Println(x)
		}
	}
}

func serve(addr string) {
	host, _ := os.Hostname()
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "labtool %s\n", host)
	})
	server := &http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
		<-signals
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = server.Shutdown(ctx)
	}()
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fail("serve: " + err.Error())
	}
}

func get(url string, timeout time.Duration) {
	client := &http.Client{Timeout: timeout}
	response, err := client.Get(url)
	if err != nil {
		fail("get: " + err.Error())
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		fail("get: reading the body: " + err.Error())
	}
	fmt.Print(string(body))
	if response.StatusCode < 200 || response.StatusCode > 299 {
		fail(fmt.Sprintf("get: HTTP %d", response.StatusCode))
	}
}

func resolve(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resolver := &net.Resolver{PreferGo: true}
	addresses, err := resolver.LookupHost(ctx, name)
	if err != nil {
		fail("resolve: " + err.Error())
	}
	for _, address := range addresses {
		fmt.Println(address)
	}
}
