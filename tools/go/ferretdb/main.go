// Command ferretdb runs FerretDB v1 with the SQLite backend: a MongoDB wire-protocol
// server for tests and local runs, with telemetry disabled (the embeddable package
// never starts the telemetry reporter and marks it disabled).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// ferretVersion returns the FerretDB module version compiled into this binary.
func ferretVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/FerretDB/FerretDB" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqliteURL := flag.String("sqlite-url", "", "SQLite URI of the data directory, e.g. file:/var/lib/ferretdb/ (overrides --data-dir)")
	dataDir := flag.String("data-dir", "", "data directory (used when --sqlite-url is empty)")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn or error")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()

	if *showVersion {
		fmt.Printf("ferretdb %s (sqlite)\n", ferretVersion())
		return
	}

	if err := run(*listenAddr, *sqliteURL, *dataDir, *logLevel); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}

func run(listenAddr, sqliteURL, dataDir, logLevel string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad --log-level %q: %w", logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if sqliteURL == "" {
		if dataDir == "" {
			return errors.New("one of --sqlite-url or --data-dir is required")
		}
		abs, err := filepath.Abs(dataDir)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return err
		}
		sqliteURL = (&url.URL{Scheme: "file", Opaque: strings.TrimSuffix(abs, "/") + "/"}).String()
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listenAddr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		return err
	}

	logger.Info("ferretdb starting", "version", ferretVersion(), "listen", listenAddr, "sqlite", sqliteURL)
	if err := f.Run(ctx); err != nil {
		return err
	}
	logger.Info("ferretdb stopped")
	return nil
}
