// Command etcd is the upstream etcd server (etcdmain), wrapped so that it can be
// built with `go build` from the Go module proxy.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
