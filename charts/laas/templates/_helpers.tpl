{{/*
Name of the chart, overridable with nameOverride.
*/}}
{{- define "laas.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified release name (63 characters at most: DNS label limit).
If the release name already contains the chart name it is used as is.
*/}}
{{- define "laas.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "laas.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels shared by every object of the release.
*/}}
{{- define "laas.labels" -}}
helm.sh/chart: {{ include "laas.chart" . }}
{{ include "laas.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: laas
{{- end }}

{{/*
Selector labels of the release (add app.kubernetes.io/component per workload).
*/}}
{{- define "laas.selectorLabels" -}}
app.kubernetes.io/name: {{ include "laas.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of one component's objects: laas.componentName (dict "root" $ "component" "images").
*/}}
{{- define "laas.componentName" -}}
{{- printf "%s-%s" (include "laas.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of one component: laas.componentLabels (dict "root" $ "component" "images").
*/}}
{{- define "laas.componentLabels" -}}
{{ include "laas.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Selector labels of one component.
*/}}
{{- define "laas.componentSelectorLabels" -}}
{{ include "laas.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Image reference of one component: registry/repository:tag (or @digest).
*/}}
{{- define "laas.image" -}}
{{- $registry := .image.registry | default .root.Values.global.imageRegistry -}}
{{- $repo := .image.repository -}}
{{- if $registry }}{{ $repo = printf "%s/%s" $registry $repo }}{{ end -}}
{{- if .image.digest -}}
{{ printf "%s@%s" $repo .image.digest }}
{{- else -}}
{{ printf "%s:%s" $repo (toString .image.tag) }}
{{- end -}}
{{- end }}

{{/*
Name of the Secret holding the JWT signing key.
*/}}
{{- define "laas.jwtSecretName" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecret }}{{ else }}{{ printf "%s-jwt" (include "laas.fullname" .) }}{{ end }}
{{- end }}

{{/*
Name of the Secret holding the MongoDB credentials and connection URL.
*/}}
{{- define "laas.mongoSecretName" -}}
{{- $existing := ternary .Values.mongodb.existingSecret .Values.externalMongodb.existingSecret .Values.mongodb.enabled }}
{{- if $existing }}{{ $existing }}{{ else }}{{ printf "%s-mongodb" (include "laas.fullname" .) }}{{ end }}
{{- end }}

{{/*
In-cluster MongoDB host (the StatefulSet's headless Service).
*/}}
{{- define "laas.mongodbHost" -}}
{{- printf "%s.%s.svc" (include "laas.componentName" (dict "root" . "component" "mongodb")) .Release.Namespace }}
{{- end }}

{{/*
Pod securityContext shared by the laas workloads.
*/}}
{{- define "laas.podSecurityContext" -}}
{{ include "laas.podSecurityContextOf" .Values.podSecurityContext }}
{{- end }}

{{/*
A pod securityContext from a values block {runAsUser, runAsGroup, fsGroup} (the schema keeps
each >= 10000, clear of the users and groups of the node).
*/}}
{{- define "laas.podSecurityContextOf" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsGroup }}
fsGroup: {{ .fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
RollingUpdate strategy of a Deployment from a values block {maxSurge, maxUnavailable}:
laas.rollingUpdate (dict "name" "gateway" "values" .Values.gateway.rollingUpdate).
Kubernetes refuses both at 0 (the rollout could never start); say so before it does.
*/}}
{{- define "laas.rollingUpdate" -}}
{{- $r := .values -}}
{{- if and (eq (toString $r.maxSurge) "0") (eq (toString $r.maxUnavailable) "0") }}
{{- fail (printf "%s.rollingUpdate: maxSurge and maxUnavailable cannot both be 0 (the rollout could neither add nor remove a pod)" .name) }}
{{- end -}}
type: RollingUpdate
rollingUpdate:
  maxSurge: {{ $r.maxSurge }}
  maxUnavailable: {{ $r.maxUnavailable }}
{{- end }}

{{/*
Soft spread of one component's pods over nodes (or another topology), when enabled:
laas.topologySpread (dict "root" $ "component" "images").
matchLabelKeys pod-template-hash counts only the pods of the current ReplicaSet, so the pods of
an old ReplicaSet being rolled away do not skew where the new ones go.
*/}}
{{- define "laas.topologySpread" -}}
{{- $t := (index .root.Values .component).topologySpread -}}
{{- if $t.enabled -}}
topologySpreadConstraints:
  - maxSkew: {{ $t.maxSkew }}
    topologyKey: {{ $t.topologyKey }}
    whenUnsatisfiable: {{ $t.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "laas.componentSelectorLabels" . | nindent 8 }}
    matchLabelKeys: ["pod-template-hash"]
{{- end -}}
{{- end }}

{{/*
Bytes in a Kubernetes quantity (128Mi, 1Gi, 500M, 1000): laas.bytes "1Gi" -> 1073741824.
The schema admits only these forms, so a quantity the templates compare is one of them.
*/}}
{{- define "laas.bytes" -}}
{{- $q := toString . -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $unit := trimPrefix $number $q -}}
{{- $factor := get (dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776) $unit -}}
{{- if not $factor }}{{ fail (printf "%q is not a quantity this chart understands (use Ki, Mi, Gi, Ti, k, M, G or T)" $q) }}{{ end -}}
{{- mulf (float64 $number) $factor | int64 -}}
{{- end }}

{{/*
Fails unless an emptyDir fits in the ephemeral-storage limit of its pod, for the kubelet evicts a
pod whose emptyDirs and logs outgrow that limit: laas.emptyDirFits (dict "what" "prometheus.dataSizeLimit"
"size" "1Gi" "limitName" "prometheus.resources.limits.ephemeral-storage" "limit" "1280Mi").
*/}}
{{- define "laas.emptyDirFits" -}}
{{- if le (include "laas.bytes" .limit | float64) (include "laas.bytes" .size | float64) }}
{{- fail (printf "%s (%s) must be larger than %s (%s): the kubelet evicts a pod whose emptyDir and logs outgrow its ephemeral-storage limit" .limitName .limit .what .size) }}
{{- end }}
{{- end }}

{{/*
Container securityContext shared by the laas workloads.
*/}}
{{- define "laas.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Reads a key from an existing Secret (lookup) or generates a random value:
the value is created on first install and kept on every upgrade.
laas.secretValue (dict "root" $ "name" "secret-name" "key" "jwt-secret" "length" 48)
*/}}
{{- define "laas.secretValue" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .name -}}
{{- if and $existing $existing.data (hasKey $existing.data .key) -}}
{{- index $existing.data .key -}}
{{- else -}}
{{- randAlphaNum (int .length) | b64enc -}}
{{- end -}}
{{- end }}

{{/*
True when a LatencyAutoscaler owns the component's replica count (the Deployment then omits
spec.replicas, so a `helm upgrade` never resets what the autoscaler decided).
*/}}
{{- define "laas.autoscaled" -}}
{{- $c := index .root.Values .component -}}
{{- if and .root.Values.autoscaler.enabled $c.autoscaling.enabled }}true{{ end -}}
{{- end }}

{{/*
Prometheus URL the autoscaler queries.
*/}}
{{- define "laas.prometheusUrl" -}}
{{- if .Values.prometheus.enabled -}}
{{ printf "http://%s.%s.svc:%d" (include "laas.componentName" (dict "root" . "component" "prometheus")) .Release.Namespace (int .Values.prometheus.port) }}
{{- else -}}
{{ required "prometheus.url is required when prometheus.enabled=false and the autoscaler is enabled" .Values.prometheus.url }}
{{- end -}}
{{- end }}

{{/*
PUBLIC_BASE_URL of images (and its seed Job): where clients reach the system, so the seeded
pictures' links resolve. images.publicBaseUrl, else the ingress host, else the gateway Service.
*/}}
{{- define "laas.publicBaseUrl" -}}
{{- if .Values.images.publicBaseUrl -}}
{{ .Values.images.publicBaseUrl }}
{{- else if and .Values.ingress.enabled .Values.ingress.host -}}
{{ printf "%s://%s" (ternary "https" "http" (not (empty .Values.ingress.tls))) .Values.ingress.host }}
{{- else -}}
{{ printf "http://%s.%s.svc:%d" (include "laas.componentName" (dict "root" . "component" "gateway")) .Release.Namespace (int .Values.gateway.service.port) }}
{{- end -}}
{{- end }}

{{/*
Deployment of one laas service (gateway, images, auth): laas.app.deployment (dict "root" $ "component" "images").
Env differs per service; everything else (probes, security, graceful shutdown) is shared.
*/}}
{{- define "laas.app.deployment" -}}
{{- $root := .root -}}
{{- $name := .component -}}
{{- $c := index $root.Values $name -}}
{{- $ctx := dict "root" $root "component" $name -}}
{{- if gt (add (mul (int $c.preStopSeconds) 1000) (int $c.shutdownGraceMs)) (mul (int $c.terminationGracePeriodSeconds) 1000) }}
{{- fail (printf "%s: preStopSeconds (%ds) + shutdownGraceMs (%dms) must fit in terminationGracePeriodSeconds (%ds), or Kubernetes kills the pod mid-drain" $name (int $c.preStopSeconds) (int $c.shutdownGraceMs) (int $c.terminationGracePeriodSeconds)) }}
{{- end }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "laas.componentName" $ctx }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "laas.componentLabels" $ctx | nindent 4 }}
spec:
  {{- if not (include "laas.autoscaled" $ctx) }}
  replicas: {{ $c.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  # maxUnavailable 0: a rollout starts the new pod and waits for it to be Ready before it drains
  # an old one, so a rollout never lowers the capacity the autoscaler sized for.
  strategy:
    {{- include "laas.rollingUpdate" (dict "name" $name "values" $c.rollingUpdate) | nindent 4 }}
  selector:
    matchLabels:
      {{- include "laas.componentSelectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "laas.componentLabels" $ctx | nindent 8 }}
      annotations:
        prometheus.io/scrape: "true"
        {{- /* The gateway is public: its metrics have a port of their own that only Prometheus reaches. */}}
        prometheus.io/port: {{ (eq $name "gateway" | ternary $c.metricsPort $c.containerPort) | quote }}
        prometheus.io/path: /metrics
        {{- with $root.Values.commonAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $c.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      {{- with $root.Values.global.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $c.terminationGracePeriodSeconds }}
      securityContext:
        {{- include "laas.podSecurityContext" $root | nindent 8 }}
      containers:
        - name: {{ $name }}
          image: {{ include "laas.image" (dict "root" $root "image" $c.image) | quote }}
          imagePullPolicy: {{ $c.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $c.containerPort }}
              protocol: TCP
            {{- if eq $name "gateway" }}
            - name: metrics
              containerPort: {{ $c.metricsPort }}
              protocol: TCP
            {{- end }}
          env:
            - name: PORT
              value: {{ $c.containerPort | quote }}
            - name: LOG_LEVEL
              value: {{ $c.logLevel | quote }}
            - name: SHUTDOWN_GRACE_MS
              value: {{ $c.shutdownGraceMs | quote }}
            {{- if eq $name "images" }}
            - name: MONGO_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "laas.mongoSecretName" $root }}
                  key: mongo-url
            - name: MONGO_DB
              value: {{ $c.database | quote }}
            - name: RANDOM_MAX_COUNT
              value: {{ $c.randomMaxCount | quote }}
            - name: WEB_CONCURRENCY
              value: {{ $c.webConcurrency | quote }}
            - name: PUBLIC_BASE_URL
              value: {{ include "laas.publicBaseUrl" $root | quote }}
            {{- else if eq $name "auth" }}
            - name: MONGO_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "laas.mongoSecretName" $root }}
                  key: mongo-url
            - name: MONGO_DB
              value: {{ $c.database | quote }}
            - name: JWT_PRIVATE_KEY_FILE
              value: /var/run/laas/jwt/signing-key.pem
            {{- $jwt := lookup "v1" "Secret" $root.Release.Namespace (include "laas.jwtSecretName" $root) }}
            {{- if and $jwt $jwt.data (hasKey $jwt.data "previous-key.pem") }}
            - name: JWT_PREVIOUS_KEY_FILE
              value: /var/run/laas/jwt/previous-key.pem
            {{- end }}
            - name: TOKEN_TTL
              value: {{ $c.tokenTtlSeconds | quote }}
            - name: TRUST_PROXY
              value: {{ $root.Values.trustedProxies | quote }}
            {{- else if eq $name "gateway" }}
            - name: IMAGES_URL
              value: {{ printf "http://%s:%d" (include "laas.componentName" (dict "root" $root "component" "images")) (int $root.Values.images.service.port) | quote }}
            - name: AUTH_URL
              value: {{ printf "http://%s:%d" (include "laas.componentName" (dict "root" $root "component" "auth")) (int $root.Values.auth.service.port) | quote }}
            - name: GATEWAY_AUTH
              value: {{ $c.authMode | quote }}
            - name: METRICS_PORT
              value: {{ $c.metricsPort | quote }}
            - name: TRUST_PROXY
              value: {{ $root.Values.trustedProxies | quote }}
            {{- if or $root.Values.prometheus.enabled $root.Values.prometheus.url }}
            # The web page's live scaling panel (GET /api/scaling) reads Prometheus.
            - name: PROMETHEUS_URL
              value: {{ include "laas.prometheusUrl" $root | quote }}
            {{- end }}
            {{- end }}
            {{- with $c.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
            timeoutSeconds: 2
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 2
            timeoutSeconds: 2
            failureThreshold: 1
            successThreshold: 1
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 1
            failureThreshold: 30
          lifecycle:
            # Keep serving while the endpoint controllers and kube-proxy/ingress forget this pod;
            # only then does SIGTERM start the drain. preStop + drain must fit in the grace period.
            preStop:
              exec:
                command: ["sleep", {{ $c.preStopSeconds | quote }}]
          resources:
            {{- toYaml $c.resources | nindent 12 }}
          securityContext:
            {{- include "laas.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if eq $name "auth" }}
            - name: jwt
              mountPath: /var/run/laas/jwt
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- if eq $name "auth" }}
        # The private key reaches auth only, as a file readable by its group (fsGroup).
        - name: jwt
          secret:
            secretName: {{ include "laas.jwtSecretName" $root }}
            defaultMode: 0440
        {{- end }}
      {{- with $c.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with include "laas.topologySpread" $ctx }}
      {{- . | nindent 6 }}
      {{- end }}
{{- end }}

{{/*
ClusterIP Service of one laas service.
*/}}
{{- define "laas.app.service" -}}
{{- $c := index .root.Values .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "laas.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "laas.componentLabels" . | nindent 4 }}
spec:
  type: {{ $c.service.type | default "ClusterIP" }}
  selector:
    {{- include "laas.componentSelectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $c.service.port }}
      targetPort: http
      protocol: TCP
    {{- if eq .component "gateway" }}
    # For a ServiceMonitor; the Ingress routes to the http port only.
    - name: metrics
      port: {{ $c.metricsPort }}
      targetPort: metrics
      protocol: TCP
    {{- end }}
{{- end }}

{{/*
PodDisruptionBudget of one component.
*/}}
{{- define "laas.app.pdb" -}}
{{- $c := index .root.Values .component -}}
{{- if $c.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "laas.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "laas.componentLabels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $c.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "laas.componentSelectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/*
Rules of the autoscaler's Role: those of autoscaler/rbac/role.yaml, which the autoscaler
generates from its code (files/rbac/role.yaml is a copy; a test keeps the two equal).
*/}}
{{- define "laas.autoscaler.rules" -}}
{{- $role := .Files.Get "files/rbac/role.yaml" | fromYaml }}
{{- if not $role.rules }}{{ fail "files/rbac/role.yaml has no rules: copy autoscaler/rbac/role.yaml (k8s/render.sh does)" }}{{ end }}
{{- toYaml $role.rules }}
{{- end }}
