// Command coredns is CoreDNS with only the plugins the lab cluster's DNS needs, so that the
// build skips the cloud back-ends (route53, azure, clouddns...) and their SDKs.
// Upstream's core/plugin/zplugin.go imports every plugin; this main imports a subset and sets
// dnsserver.Directives to the same subset, in upstream's plugin.cfg order (the order in which a
// query passes through them).
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/template"
)

func init() {
	dnsserver.Directives = []string{
		"reload",
		"ready",
		"health",
		"errors",
		"log",
		"loadbalance",
		"cache",
		"template",
		"kubernetes",
	}
}

func main() {
	coremain.Run()
}
