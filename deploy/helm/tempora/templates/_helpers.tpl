{{/*
Helpers of the Tempora chart. The templates use a small part of Helm's functions on purpose (default, quote, toYaml,
nindent, trunc, trimSuffix, printf, contains, has, hasKey, ternary, join, dict, include, fail, and, or, not, eq, list,
lookup, randAlphaNum, b64enc, trim, hasPrefix, sha256sum): the offline test (tests/Tempora.Deploy.Tests) renders them without a helm binary.
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
{{- if and $web $root.Values.authorization.enabled (not $root.Values.ui.auth.enabled) -}}
{{- fail (printf "Deployment %s serves the web UI with authorization.enabled but ui.auth.enabled is false: the UI would have no token and every page would be refused; turn on ui.auth or move web out of its services" .component) -}}
{{- end -}}
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
      {{- if include "tempora.archivalOn" $root }}
      annotations:
        # The config file is a ConfigMap, which pods do not re-read: a change of it rolls them.
        checksum/config: {{ include "tempora.config" $root | sha256sum | quote }}
      {{- end }}
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
            {{- with include "tempora.securityEnv" $root | trim }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with include "tempora.archivalEnv" $root | trim }}
            {{- . | nindent 12 }}
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
            {{- if $root.Values.server.ports.http }}
            - name: http-api
              containerPort: {{ $root.Values.server.ports.http }}
              protocol: TCP
            {{- end }}
          startupProbe:
            httpGet:
              path: /health/live
              port: http-metrics
              {{- if include "tempora.metricsTls" $root }}
              scheme: HTTPS
              {{- end }}
            periodSeconds: {{ $root.Values.probes.startup.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /health/live
              port: http-metrics
              {{- if include "tempora.metricsTls" $root }}
              scheme: HTTPS
              {{- end }}
            periodSeconds: {{ $root.Values.probes.liveness.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: /health/ready
              port: http-metrics
              {{- if include "tempora.metricsTls" $root }}
              scheme: HTTPS
              {{- end }}
            periodSeconds: {{ $root.Values.probes.readiness.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.readiness.failureThreshold }}
          resources:
            {{- toYaml .resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with include "tempora.securityVolumeMounts" $root | trim }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- if include "tempora.archivalOn" $root }}
            - name: config
              mountPath: /etc/tempora/config
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- with include "tempora.securityVolumes" $root | trim }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- if include "tempora.archivalOn" $root }}
        - name: config
          configMap:
            name: {{ printf "%s-config" (include "tempora.fullname" $root) | quote }}
        {{- end }}
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
{{- /* Always set: the server's own default is 7243, so 0 has to be said to turn the HTTP API off. */}}
- name: TEMPORA_HTTP_PORT
  value: {{ .Values.server.ports.http | quote }}
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


{{/*
The Secret holding one listener's certificate. Argument: a dict with root and part (frontend, internode, ui, metrics).
Its existingSecret, else the Secret cert-manager writes for the chart's Certificate <fullname>-<part>.
*/}}
{{- define "tempora.tlsSecretName" -}}
{{- $values := .root.Values.tls.frontend -}}
{{- if eq .part "internode" }}{{ $values = .root.Values.tls.internode }}{{ end -}}
{{- if eq .part "ui" }}{{ $values = .root.Values.tls.ui }}{{ end -}}
{{- if eq .part "metrics" }}{{ $values = .root.Values.tls.metrics }}{{ end -}}
{{- default (printf "%s-%s-tls" (include "tempora.fullname" .root) .part) $values.existingSecret -}}
{{- end -}}

{{/* The name replicas ask for (SNI) and verify when they call each other. */}}
{{- define "tempora.internodeServerName" -}}
{{- default (printf "%s-internode.%s" (include "tempora.fullname" .) .Release.Namespace) .Values.tls.internode.serverName -}}
{{- end -}}

{{/* Which listeners have TLS: "true" or "". */}}
{{- define "tempora.internodeTls" -}}
{{- if and .Values.tls.enabled .Values.tls.internode.enabled }}true{{ end -}}
{{- end -}}
{{- define "tempora.uiTls" -}}
{{- if and .Values.tls.enabled .Values.tls.ui.enabled }}true{{ end -}}
{{- end -}}
{{- define "tempora.metricsTls" -}}
{{- if and .Values.tls.enabled .Values.tls.metrics.enabled }}true{{ end -}}
{{- end -}}

{{/* The cluster secret's Secret and key, "" when Tempora is left to keep one in the database. */}}
{{- define "tempora.clusterSecretName" -}}
{{- if .Values.cluster.secret.existingSecret -}}
{{- .Values.cluster.secret.existingSecret -}}
{{- else if .Values.cluster.secret.create -}}
{{- printf "%s-cluster" (include "tempora.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The UI session key's Secret. */}}
{{- define "tempora.sessionSecretName" -}}
{{- default (printf "%s-ui-session" (include "tempora.fullname" .) ) .Values.ui.auth.sessionSecret.existingSecret -}}
{{- end -}}

{{/* Refuses security values the server would refuse or that cannot work, naming the value. Renders nothing. */}}
{{- define "tempora.validateSecurity" -}}
{{- $tls := .Values.tls -}}
{{- if $tls.enabled -}}
{{- /* The internode certificate has its own CA by default, so only the other listeners need issuerRef. */ -}}
{{- $needsIssuer := or (not $tls.frontend.existingSecret) (and $tls.ui.enabled (not $tls.ui.existingSecret)) (and $tls.metrics.enabled (not $tls.metrics.existingSecret)) -}}
{{- $needsCertManager := or $needsIssuer (and $tls.internode.enabled (not $tls.internode.existingSecret)) -}}
{{- if and $needsCertManager (not $tls.certManager.enabled) -}}
{{- fail "tls.enabled: every listener with TLS needs its existingSecret when tls.certManager.enabled is false" -}}
{{- end -}}
{{- if and $needsIssuer $tls.certManager.enabled (not $tls.certManager.issuerRef.name) -}}
{{- fail "tls.certManager.issuerRef.name is required: the cert-manager Issuer or ClusterIssuer that signs Tempora's certificates" -}}
{{- end -}}
{{- end -}}
{{- if and $tls.enabled $tls.ui.enabled $tls.ui.requireClientAuth (not $tls.ui.clientCaSecret) -}}
{{- fail "tls.ui.requireClientAuth needs tls.ui.clientCaSecret: the CA browser certificates must chain to" -}}
{{- end -}}
{{- if .Values.authorization.enabled -}}
{{- if not .Values.authorization.jwksUrl -}}
{{- fail "authorization.jwksUrl is required when authorization.enabled: the JWKS URL of the token issuer" -}}
{{- end -}}
{{- end -}}
{{- if .Values.ui.auth.enabled -}}
{{- if not .Values.ui.auth.providerUrl }}{{ fail "ui.auth.providerUrl is required when ui.auth.enabled" }}{{ end -}}
{{- if not .Values.ui.auth.clientId }}{{ fail "ui.auth.clientId is required when ui.auth.enabled" }}{{ end -}}
{{- if not .Values.ui.auth.callbackUrl }}{{ fail "ui.auth.callbackUrl is required when ui.auth.enabled" }}{{ end -}}
{{- if not .Values.ui.auth.clientSecret.existingSecret }}{{ fail "ui.auth.clientSecret.existingSecret is required when ui.auth.enabled: a Secret holding the OIDC client secret" }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* The security settings of the server containers (TLS, cluster secret, authorization, UI login): files and names. */}}
{{- define "tempora.securityEnv" -}}
{{- $tls := .Values.tls -}}
{{- if $tls.enabled }}
- name: TEMPORAL_TLS_REFRESH_INTERVAL
  value: {{ $tls.refreshInterval | quote }}
- name: TEMPORAL_TLS_FRONTEND_CERT
  value: /etc/tempora/tls/frontend/tls.crt
- name: TEMPORAL_TLS_FRONTEND_KEY
  value: /etc/tempora/tls/frontend/tls.key
{{- if $tls.frontend.requireClientAuth }}
- name: TEMPORAL_TLS_REQUIRE_CLIENT_AUTH
  value: "true"
{{- end }}
{{- if $tls.frontend.clientCaSecret }}
- name: TEMPORAL_TLS_CLIENT1_CA_CERT
  value: {{ printf "/etc/tempora/tls/frontend-client-ca/%s" $tls.frontend.clientCaKey | quote }}
{{- else if $tls.frontend.requireClientAuth }}
- name: TEMPORAL_TLS_CLIENT1_CA_CERT
  value: /etc/tempora/tls/frontend/ca.crt
{{- end }}
{{- end }}
{{- if include "tempora.internodeTls" . }}
- name: TEMPORAL_TLS_SERVER_CERT
  value: /etc/tempora/tls/internode/tls.crt
- name: TEMPORAL_TLS_SERVER_KEY
  value: /etc/tempora/tls/internode/tls.key
- name: TEMPORAL_TLS_SERVER_CA_CERT
  value: /etc/tempora/tls/internode/ca.crt
- name: TEMPORAL_TLS_INTERNODE_SERVER_NAME
  value: {{ include "tempora.internodeServerName" . | quote }}
{{- end }}
{{- if include "tempora.uiTls" . }}
- name: TEMPORA_UI_TLS_CERT
  value: /etc/tempora/tls/ui/tls.crt
- name: TEMPORA_UI_TLS_KEY
  value: /etc/tempora/tls/ui/tls.key
{{- if $tls.ui.clientCaSecret }}
- name: TEMPORA_UI_TLS_CLIENT_CA
  value: {{ printf "/etc/tempora/tls/ui-client-ca/%s" $tls.ui.clientCaKey | quote }}
{{- end }}
{{- if $tls.ui.requireClientAuth }}
- name: TEMPORA_UI_TLS_REQUIRE_CLIENT_AUTH
  value: "true"
{{- end }}
{{- end }}
{{- if include "tempora.metricsTls" . }}
- name: TEMPORA_METRICS_TLS_CERT
  value: /etc/tempora/tls/metrics/tls.crt
- name: TEMPORA_METRICS_TLS_KEY
  value: /etc/tempora/tls/metrics/tls.key
{{- end }}
{{- if include "tempora.clusterSecretName" . }}
- name: TEMPORA_CLUSTER_SECRET_FILE
  value: /etc/tempora/cluster/secret
{{- end }}
{{- with .Values.authorization }}
{{- if .enabled }}
- name: TEMPORAL_AUTH_AUTHORIZER
  value: default
- name: TEMPORAL_AUTH_CLAIM_MAPPER
  value: default
- name: TEMPORAL_JWT_KEY_SOURCE1
  value: {{ .jwksUrl | quote }}
{{- if .jwksUrl2 }}
- name: TEMPORAL_JWT_KEY_SOURCE2
  value: {{ .jwksUrl2 | quote }}
{{- end }}
- name: TEMPORAL_JWT_KEY_REFRESH
  value: {{ .refreshInterval | quote }}
- name: TEMPORAL_JWT_PERMISSIONS_CLAIM
  value: {{ .permissionsClaim | quote }}
{{- if .audience }}
- name: TEMPORA_AUTH_AUDIENCE
  value: {{ .audience | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.ui.auth }}
{{- if .enabled }}
- name: TEMPORAL_AUTH_ENABLED
  value: "true"
- name: TEMPORAL_AUTH_PROVIDER_URL
  value: {{ .providerUrl | quote }}
{{- if .issuerUrl }}
- name: TEMPORAL_AUTH_ISSUER_URL
  value: {{ .issuerUrl | quote }}
{{- end }}
- name: TEMPORAL_AUTH_CLIENT_ID
  value: {{ .clientId | quote }}
- name: TEMPORAL_AUTH_CALLBACK_URL
  value: {{ .callbackUrl | quote }}
- name: TEMPORAL_AUTH_SCOPES
  value: {{ join "," .scopes | quote }}
{{- if .useIdTokenAsBearer }}
- name: TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER
  value: "true"
{{- end }}
{{- if .maxSessionDuration }}
- name: TEMPORA_UI_AUTH_MAX_SESSION_DURATION
  value: {{ .maxSessionDuration | quote }}
{{- end }}
- name: TEMPORA_UI_AUTH_CLIENT_SECRET_FILE
  value: /etc/tempora/ui-auth/client-secret/client-secret
- name: TEMPORA_UI_SESSION_SECRET_FILE
  value: /etc/tempora/ui-auth/session/secret
{{- end }}
{{- end }}
{{- end -}}

{{/* Where the server containers see the security Secrets: whole directories (no subPath), so renewals appear in place. */}}
{{- define "tempora.securityVolumeMounts" -}}
{{- $tls := .Values.tls -}}
{{- if $tls.enabled }}
- name: tls-frontend
  mountPath: /etc/tempora/tls/frontend
  readOnly: true
{{- if $tls.frontend.clientCaSecret }}
- name: tls-frontend-client-ca
  mountPath: /etc/tempora/tls/frontend-client-ca
  readOnly: true
{{- end }}
{{- end }}
{{- if include "tempora.internodeTls" . }}
- name: tls-internode
  mountPath: /etc/tempora/tls/internode
  readOnly: true
{{- end }}
{{- if include "tempora.uiTls" . }}
- name: tls-ui
  mountPath: /etc/tempora/tls/ui
  readOnly: true
{{- if $tls.ui.clientCaSecret }}
- name: tls-ui-client-ca
  mountPath: /etc/tempora/tls/ui-client-ca
  readOnly: true
{{- end }}
{{- end }}
{{- if include "tempora.metricsTls" . }}
- name: tls-metrics
  mountPath: /etc/tempora/tls/metrics
  readOnly: true
{{- end }}
{{- if include "tempora.clusterSecretName" . }}
- name: cluster-secret
  mountPath: /etc/tempora/cluster
  readOnly: true
{{- end }}
{{- if .Values.ui.auth.enabled }}
- name: ui-auth-client-secret
  mountPath: /etc/tempora/ui-auth/client-secret
  readOnly: true
- name: ui-auth-session
  mountPath: /etc/tempora/ui-auth/session
  readOnly: true
{{- end }}
{{- end -}}

{{/* The Secret volumes behind tempora.securityVolumeMounts; files are 0440, readable through the pod's fsGroup. */}}
{{- define "tempora.securityVolumes" -}}
{{- $tls := .Values.tls -}}
{{- if $tls.enabled }}
- name: tls-frontend
  secret:
    secretName: {{ include "tempora.tlsSecretName" (dict "root" . "part" "frontend") | quote }}
    defaultMode: 288
{{- if $tls.frontend.clientCaSecret }}
- name: tls-frontend-client-ca
  secret:
    secretName: {{ $tls.frontend.clientCaSecret | quote }}
    defaultMode: 288
    items:
      - key: {{ $tls.frontend.clientCaKey | quote }}
        path: {{ $tls.frontend.clientCaKey | quote }}
{{- end }}
{{- end }}
{{- if include "tempora.internodeTls" . }}
- name: tls-internode
  secret:
    secretName: {{ include "tempora.tlsSecretName" (dict "root" . "part" "internode") | quote }}
    defaultMode: 288
{{- end }}
{{- if include "tempora.uiTls" . }}
- name: tls-ui
  secret:
    secretName: {{ include "tempora.tlsSecretName" (dict "root" . "part" "ui") | quote }}
    defaultMode: 288
{{- if $tls.ui.clientCaSecret }}
- name: tls-ui-client-ca
  secret:
    secretName: {{ $tls.ui.clientCaSecret | quote }}
    defaultMode: 288
    items:
      - key: {{ $tls.ui.clientCaKey | quote }}
        path: {{ $tls.ui.clientCaKey | quote }}
{{- end }}
{{- end }}
{{- if include "tempora.metricsTls" . }}
- name: tls-metrics
  secret:
    secretName: {{ include "tempora.tlsSecretName" (dict "root" . "part" "metrics") | quote }}
    defaultMode: 288
{{- end }}
{{- with include "tempora.clusterSecretName" . }}
- name: cluster-secret
  secret:
    secretName: {{ . | quote }}
    defaultMode: 288
    items:
      - key: {{ ternary $.Values.cluster.secret.key "secret" (not (not $.Values.cluster.secret.existingSecret)) | quote }}
        path: secret
{{- end }}
{{- with .Values.ui.auth }}
{{- if .enabled }}
- name: ui-auth-client-secret
  secret:
    secretName: {{ .clientSecret.existingSecret | quote }}
    defaultMode: 288
    items:
      - key: {{ .clientSecret.key | quote }}
        path: client-secret
- name: ui-auth-session
  secret:
    secretName: {{ include "tempora.sessionSecretName" $ | quote }}
    defaultMode: 288
    items:
      - key: {{ ternary .sessionSecret.key "secret" (not (not .sessionSecret.existingSecret)) | quote }}
        path: secret
{{- end }}
{{- end }}
{{- end -}}

{{/*
A random secret generated once: on upgrades the value already in the cluster is read back (lookup), so pods keep
it. `helm template` and dry runs cannot read the cluster and show a fresh value. Argument: dict root, name, component.
*/}}
{{- define "tempora.generatedSecret" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .name -}}
{{- $value := randAlphaNum 48 | b64enc -}}
{{- if $existing }}{{ if $existing.data }}{{ if $existing.data.secret }}{{ $value = $existing.data.secret }}{{ end }}{{ end }}{{ end -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .name | quote }}
  labels:
    {{- include "tempora.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component | quote }}
type: Opaque
data:
  secret: {{ $value | quote }}
{{- end -}}

{{/*
A cert-manager Certificate for one listener. Argument: dict root, part, service (the Service whose names it carries,
if any), service2 (a second such Service, may be empty), dnsNames (more names), extraName (one more, may be empty), ipAddresses, issuerRef (overrides), clientAuth
(also a client certificate: the internode one, which replicas present to each other).
*/}}
{{- define "tempora.certificate" -}}
{{- $root := .root -}}
{{- $cm := $root.Values.tls.certManager -}}
{{- $issuer := default (dict) .issuerRef -}}
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {{ printf "%s-%s" (include "tempora.fullname" $root) .part | quote }}
  labels:
    {{- include "tempora.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .part | quote }}
spec:
  secretName: {{ include "tempora.tlsSecretName" (dict "root" $root "part" .part) | quote }}
  issuerRef:
    name: {{ default $cm.issuerRef.name $issuer.name | quote }}
    kind: {{ default $cm.issuerRef.kind $issuer.kind | quote }}
    group: {{ default $cm.issuerRef.group $issuer.group | quote }}
  duration: {{ $cm.duration | quote }}
  renewBefore: {{ $cm.renewBefore | quote }}
  privateKey:
    algorithm: {{ $cm.privateKey.algorithm | quote }}
    size: {{ $cm.privateKey.size }}
    # PKCS#8 PEM ("BEGIN PRIVATE KEY"), and a new key at each renewal.
    encoding: PKCS8
    rotationPolicy: Always
  usages:
    - digital signature
    - key encipherment
    - server auth
    {{- if .clientAuth }}
    - client auth
    {{- end }}
  dnsNames:
    {{- if .service }}
    {{- $host := printf "%s-%s" (include "tempora.fullname" $root) .service }}
    - {{ $host | quote }}
    - {{ printf "%s.%s" $host $root.Release.Namespace | quote }}
    - {{ printf "%s.%s.svc" $host $root.Release.Namespace | quote }}
    - {{ printf "%s.%s.svc.%s" $host $root.Release.Namespace $root.Values.tls.clusterDomain | quote }}
    {{- end }}
    {{- if .service2 }}
    {{- $host2 := printf "%s-%s" (include "tempora.fullname" $root) .service2 }}
    - {{ $host2 | quote }}
    - {{ printf "%s.%s" $host2 $root.Release.Namespace | quote }}
    - {{ printf "%s.%s.svc" $host2 $root.Release.Namespace | quote }}
    - {{ printf "%s.%s.svc.%s" $host2 $root.Release.Namespace $root.Values.tls.clusterDomain | quote }}
    {{- end }}
    {{- range .dnsNames }}
    - {{ . | quote }}
    {{- end }}
    {{- if .extraName }}
    - {{ .extraName | quote }}
    {{- end }}
  {{- with .ipAddresses }}
  ipAddresses:
    {{- range . }}
    - {{ . | quote }}
    {{- end }}
  {{- end }}
{{- end -}}

{{/* Whether archival is on for history or visibility: "true" or "". */}}
{{- define "tempora.archivalOn" -}}
{{- if or .Values.archival.history.enabled .Values.archival.visibility.enabled }}true{{ end -}}
{{- end -}}

{{/*
Refuses archival and HTTP API values the server would refuse or that cannot work, naming the value. Renders nothing.
*/}}
{{- define "tempora.validateArchival" -}}
{{- $archival := .Values.archival -}}
{{- include "tempora.validateArchivalUri" (dict "part" "history" "values" $archival.history) -}}
{{- include "tempora.validateArchivalUri" (dict "part" "visibility" "values" $archival.visibility) -}}
{{- if include "tempora.archivalOn" . -}}
{{- if not $archival.s3.region -}}
{{- fail "archival.s3.region is required when archival is enabled (any value for MinIO, e.g. us-east-1)" -}}
{{- end -}}
{{- if not $archival.s3.credentials.existingSecret -}}
{{- fail "archival.s3.credentials.existingSecret is required when archival is enabled: a Secret holding the access key of the bucket" -}}
{{- end -}}
{{- if not $archival.s3.credentials.accessKeyIdKey }}{{ fail "archival.s3.credentials.accessKeyIdKey is required when archival is enabled" }}{{ end -}}
{{- if not $archival.s3.credentials.secretAccessKeyKey }}{{ fail "archival.s3.credentials.secretAccessKeyKey is required when archival is enabled" }}{{ end -}}
{{- end -}}
{{- if .Values.httpApi.ingress.enabled -}}
{{- if not .Values.server.ports.http -}}
{{- fail "httpApi.ingress.enabled needs the HTTP API: server.ports.http is 0" -}}
{{- end -}}
{{- if not .Values.service.http.enabled -}}
{{- fail "httpApi.ingress.enabled needs service.http.enabled: the Ingress routes to that Service" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Refuses a namespace default URI the chart cannot serve. Argument: dict part (history, visibility), values. */}}
{{- define "tempora.validateArchivalUri" -}}
{{- if .values.uri -}}
{{- if not (hasPrefix "s3://" .values.uri) -}}
{{- fail (printf "archival.%s.uri %s: the chart configures the s3store provider only, so the URI must be s3://bucket[/prefix]" .part .values.uri) -}}
{{- end -}}
{{- if not .values.enabled -}}
{{- fail (printf "archival.%s.uri is set but archival.%s.enabled is false: namespaces cannot archive where the cluster does not" .part .part) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* One archival part (history or visibility) of the config file. Argument: its values and the s3 values. */}}
{{- define "tempora.archivalPart" -}}
state: {{ ternary "enabled" "disabled" (not (not .values.enabled)) | quote }}
{{- if .values.enabled }}
enableRead: {{ ternary "true" "false" (not (not .values.enableRead)) }}
provider:
  s3store:
    region: {{ .s3.region | quote }}
    {{- if .s3.endpoint }}
    endpoint: {{ .s3.endpoint | quote }}
    {{- end }}
    s3ForcePathStyle: {{ ternary "true" "false" (not (not .s3.forcePathStyle)) }}
{{- end }}
{{- end -}}

{{/* The namespace default of one archival part: enabled with its URI, or disabled. Argument: its values. */}}
{{- define "tempora.archivalDefault" -}}
{{- if .uri }}
state: "enabled"
URI: {{ .uri | quote }}
{{- else }}
state: "disabled"
{{- end }}
{{- end -}}

{{/* The server's config file (TEMPORA_CONFIG): the settings that have no environment variable, i.e. archival. */}}
{{- define "tempora.config" -}}
{{- $s3 := .Values.archival.s3 -}}
archival:
  history:
    {{- include "tempora.archivalPart" (dict "values" .Values.archival.history "s3" $s3) | nindent 4 }}
  visibility:
    {{- include "tempora.archivalPart" (dict "values" .Values.archival.visibility "s3" $s3) | nindent 4 }}
namespaceDefaults:
  archival:
    history:
      {{- include "tempora.archivalDefault" .Values.archival.history | trim | nindent 6 }}
    visibility:
      {{- include "tempora.archivalDefault" .Values.archival.visibility | trim | nindent 6 }}
{{- end -}}

{{/* The config file's location and the S3 access key, from the Secret, under the AWS SDK's variable names. */}}
{{- define "tempora.archivalEnv" -}}
{{- if include "tempora.archivalOn" . }}
{{- $credentials := .Values.archival.s3.credentials }}
- name: TEMPORA_CONFIG
  value: /etc/tempora/config/config.yaml
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $credentials.existingSecret | quote }}
      key: {{ $credentials.accessKeyIdKey | quote }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $credentials.existingSecret | quote }}
      key: {{ $credentials.secretAccessKeyKey | quote }}
{{- end }}
{{- end -}}
