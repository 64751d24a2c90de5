{{/*
Helpers of the Tempora chart. The templates use a small part of Helm's functions on purpose (default, quote, toYaml,
nindent, trunc, trimSuffix, printf, contains, has, hasKey, ternary, join, dict, include, fail, and, or, not): the
offline test (tests/Tempora.Deploy.Tests) renders them without a helm binary.
*/}}

{{/* The chart name, at most 63 characters. */}}
{{- define "tempora.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's resource name prefix: the release name when it already contains the chart name. */}}
{{- define "tempora.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels every resource carries. */}}
{{- define "tempora.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{ include "tempora.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end -}}

{{/* Labels that select the release's pods. */}}
{{- define "tempora.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tempora.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end -}}

{{/* The image reference. */}}
{{- define "tempora.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
One server Deployment. Argument: a dict with root (the chart context), component (the name suffix and label),
services (the roles; empty means all), replicas and resources.
*/}}
{{- define "tempora.deployment" -}}
{{- $root := .root -}}
{{- $services := .services -}}
{{- if $services -}}
{{- if not (and (has "frontend" $services) (has "history" $services) (has "matching" $services)) -}}
{{- fail (printf "Deployment %s: services %s must include frontend, history and matching; Tempora cannot run them in separate processes yet" .component (join "," $services)) -}}
{{- end -}}
{{- end -}}
{{- $web := or (not $services) (has "web" $services) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name | quote }}
  labels:
    {{- include "tempora.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component | quote }}
spec:
  replicas: {{ .replicas }}
  strategy:
    {{- toYaml $root.Values.strategy | nindent 4 }}
  selector:
    matchLabels:
      {{- include "tempora.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ .component | quote }}
  template:
    metadata:
      labels:
        {{- include "tempora.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component | quote }}
        tempora.io/frontend: "true"
        {{- if $web }}
        tempora.io/web: "true"
        {{- end }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $root.Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: tempora
          image: {{ include "tempora.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: ["start"]
          env:
            {{- include "tempora.env" $root | nindent 12 }}
            # Where the other replicas forward requests for this pod's shards.
            - name: TEMPORAL_BROADCAST_ADDRESS
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
            {{- if $services }}
            - name: SERVICES
              value: {{ join "," $services | quote }}
            {{- else if $root.Values.server.services }}
            - name: SERVICES
              value: {{ join "," $root.Values.server.services | quote }}
            {{- end }}
            {{- with $root.Values.server.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - name: grpc
              containerPort: {{ $root.Values.server.ports.grpc }}
              protocol: TCP
            {{- if $web }}
            - name: http-ui
              containerPort: {{ $root.Values.server.ports.ui }}
              protocol: TCP
            {{- end }}
            - name: http-metrics
              containerPort: {{ $root.Values.server.ports.metrics }}
              protocol: TCP
          startupProbe:
            httpGet:
              path: /health/live
              port: http-metrics
            periodSeconds: {{ $root.Values.probes.startup.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /health/live
              port: http-metrics
            periodSeconds: {{ $root.Values.probes.liveness.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: /health/ready
              port: http-metrics
            periodSeconds: {{ $root.Values.probes.readiness.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.readiness.failureThreshold }}
          resources:
            {{- toYaml .resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{/* The environment shared by the server and the schema Job: database, shards, ports, logs. */}}
{{- define "tempora.env" -}}
- name: DB
  value: {{ .Values.database.type | quote }}
- name: POSTGRES_SEEDS
  value: {{ .Values.database.host | quote }}
- name: DB_PORT
  value: {{ .Values.database.port | quote }}
- name: DBNAME
  value: {{ .Values.database.name | quote }}
- name: VISIBILITY_DBNAME
  value: {{ .Values.database.visibilityName | quote }}
- name: POSTGRES_USER
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret | quote }}
      key: {{ .Values.database.userKey | quote }}
- name: POSTGRES_PWD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret | quote }}
      key: {{ .Values.database.passwordKey | quote }}
- name: SQL_MAX_CONNS
  value: {{ .Values.database.maxConnections | quote }}
- name: TEMPORA_DB_SSL_MODE
  value: {{ .Values.database.sslMode | quote }}
- name: NUM_HISTORY_SHARDS
  value: {{ .Values.server.numHistoryShards | quote }}
- name: TEMPORA_PORT
  value: {{ .Values.server.ports.grpc | quote }}
- name: TEMPORA_UI_PORT
  value: {{ .Values.server.ports.ui | quote }}
- name: TEMPORA_METRICS_PORT
  value: {{ .Values.server.ports.metrics | quote }}
- name: TEMPORA_LOG_LEVEL
  value: {{ .Values.server.logLevel | quote }}
- name: TEMPORA_LOG_FORMAT
  value: {{ .Values.server.logFormat | quote }}
{{- if .Values.server.namespaces }}
- name: TEMPORA_NAMESPACES
  value: {{ join "," .Values.server.namespaces | quote }}
{{- end }}
{{- /* The UI answers only to Host names it knows (DNS rebinding); the Ingress's host is one. */}}
{{- if or .Values.server.uiAllowedHosts .Values.ingress.enabled }}
- name: TEMPORA_UI_ALLOWED_HOSTS
  value: "{{ join "," .Values.server.uiAllowedHosts }}{{ if and .Values.server.uiAllowedHosts .Values.ingress.enabled }},{{ end }}{{ if .Values.ingress.enabled }}{{ .Values.ingress.host }}{{ end }}"
{{- end }}
{{- end -}}
