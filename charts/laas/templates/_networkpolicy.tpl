{{/*
Building blocks of networkpolicies.yaml.
*/}}

{{/*
A NetworkPolicyPeer: the pods of one component of this release (same namespace).
laas.netpol.podPeer (dict "root" $ "component" "images")
*/}}
{{- define "laas.netpol.podPeer" -}}
- podSelector:
    matchLabels:
      {{- include "laas.componentSelectorLabels" . | nindent 6 }}
{{- end }}

{{/*
Egress rule to something outside the release, from a values block {to: [peers], ports: [int]}:
to the given peers on those TCP ports, or, with no peers, to any address on those ports only.
*/}}
{{- define "laas.netpol.externalEgress" -}}
{{- $ports := list -}}
{{- range .ports }}{{ $ports = append $ports (dict "port" . "protocol" "TCP") }}{{ end -}}
{{- $rule := dict "ports" $ports -}}
{{- with .to }}{{ $_ := set $rule "to" . }}{{ end -}}
{{- toYaml (list $rule) }}
{{- end }}

{{/*
Egress rules to MongoDB: the release's StatefulSet, or the external server.
*/}}
{{- define "laas.netpol.mongodbEgress" -}}
{{- if .Values.mongodb.enabled -}}
- to:
    {{- include "laas.netpol.podPeer" (dict "root" . "component" "mongodb") | nindent 4 }}
  ports:
    - port: mongodb
      protocol: TCP
{{- else -}}
{{- include "laas.netpol.externalEgress" .Values.networkPolicy.externalMongodb }}
{{- end -}}
{{- end }}

{{/*
A /32 (IPv4) or /128 (IPv6) CIDR of one address.
*/}}
{{- define "laas.netpol.hostCidr" -}}
{{- if contains ":" . }}{{ printf "%s/128" . }}{{ else }}{{ printf "%s/32" . }}{{ end -}}
{{- end }}

{{/*
Egress rules to the API server, for the pods that watch it (autoscaler, Prometheus discovery).
Pods reach it at the ClusterIP of Service default/kubernetes (443), which kube-proxy rewrites to
an endpoint (e.g. the node's address, 6443). Most enforcers (Calico, Cilium, kube-network-policies)
see the rewritten address, some the ClusterIP: admit both, each only on its own port.
  1. networkPolicy.apiServer.lookup: what the cluster says at install time (helm install/upgrade;
     `helm template` sees no cluster);
  2. networkPolicy.apiServer.endpoints: what the values say;
  3. neither: any address, on networkPolicy.apiServer.fallbackPorts only.
*/}}
{{- define "laas.netpol.apiServerEgress" -}}
{{- $cfg := .Values.networkPolicy.apiServer -}}
{{- $rules := list -}}
{{- if $cfg.lookup -}}
{{- $svc := lookup "v1" "Service" "default" "kubernetes" -}}
{{- if and $svc $svc.spec -}}
{{- $ips := $svc.spec.clusterIPs | default (list $svc.spec.clusterIP) -}}
{{- range $port := $svc.spec.ports -}}
{{- $cidrs := list -}}
{{- range $ips }}{{ $cidrs = append $cidrs (include "laas.netpol.hostCidr" .) }}{{ end -}}
{{- $rules = append $rules (dict "cidrs" $cidrs "port" $port.port) -}}
{{- end -}}
{{- end -}}
{{- $slice := lookup "discovery.k8s.io/v1" "EndpointSlice" "default" "kubernetes" -}}
{{- if and $slice $slice.endpoints -}}
{{- range $port := $slice.ports -}}
{{- $cidrs := list -}}
{{- range $ep := $slice.endpoints }}{{ range $ep.addresses }}{{ $cidrs = append $cidrs (include "laas.netpol.hostCidr" .) }}{{ end }}{{ end -}}
{{- $rules = append $rules (dict "cidrs" $cidrs "port" $port.port) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $cfg.endpoints -}}
{{- $rules = append $rules (dict "cidrs" (list .cidr) "port" .port) -}}
{{- end -}}
{{- $out := list -}}
{{- range $rules -}}
{{- $to := list -}}
{{- range .cidrs }}{{ $to = append $to (dict "ipBlock" (dict "cidr" .)) }}{{ end -}}
{{- $out = append $out (dict "to" $to "ports" (list (dict "port" .port "protocol" "TCP"))) -}}
{{- end -}}
{{- if not $out -}}
{{- /* The address is unknown here: any address, on the API server's usual ports only. */ -}}
{{- $ports := list -}}
{{- range $cfg.fallbackPorts }}{{ $ports = append $ports (dict "port" . "protocol" "TCP") }}{{ end -}}
{{- $out = list (dict "ports" $ports) -}}
{{- end -}}
{{- toYaml $out }}
{{- end }}
