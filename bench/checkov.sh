#!/usr/bin/env bash
# Compares kensa's manifest verdicts with Checkov's on the checks both tools have, on
# Kubernetes documents written below (an insecure and a hardened Deployment, a CronJob,
# and edge cases: a Pod, a DaemonSet, a StatefulSet with an init container, a Job), and
# times both on them. Passes are compared as well as failures (Checkov's `--quiet` would
# leave its passed checks out of the JSON, hiding kensa's false positives). Every
# disagreement is printed with its explanation; one without an explanation fails the
# script.
#
#   bench/checkov.sh            # builds kensa, installs checkov (PyPI, pinned) in a venv
#   bench/checkov.sh --no-build   # KENSA_BIN=target/debug/kensa to use another build
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/target/checkov"
mkdir -p "$work/docs"
if [[ "${1:-}" != "--no-build" ]]; then
  cargo build --release -p kensa --manifest-path "$root/Cargo.toml" >&2
fi
kensa="${KENSA_BIN:-$root/target/release/kensa}"
[[ -x "$kensa" ]] || kensa="$root/target/debug/kensa"
if [[ ! -x "$work/venv/bin/checkov" ]]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q checkov==3.3.30
fi

cat > "$work/docs/insecure.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: insecure
  namespace: default
spec:
  selector: {matchLabels: {app: insecure}}
  template:
    metadata: {labels: {app: insecure}}
    spec:
      hostNetwork: true
      hostPID: true
      hostIPC: true
      containers:
        - name: app
          image: nginx:latest
          imagePullPolicy: IfNotPresent
          ports: [{containerPort: 80, hostPort: 8080}]
          securityContext:
            privileged: true
            allowPrivilegeEscalation: true
            runAsUser: 0
            capabilities: {add: [SYS_ADMIN, NET_RAW]}
EOF

cat > "$work/docs/hardened.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hardened
  namespace: shop
spec:
  selector: {matchLabels: {app: hardened}}
  template:
    metadata: {labels: {app: hardened}}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: app
          image: registry.example/app:1.4.2@sha256:9b2a1c7e4d8f3a6b5c0e1d2f4a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7
          imagePullPolicy: Always
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            limits: {cpu: 500m, memory: 256Mi}
            requests: {cpu: 100m, memory: 128Mi}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          readinessProbe: {httpGet: {path: /ready, port: 8080}}
EOF

cat > "$work/docs/job.yaml" <<'EOF'
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: registry.example/report:2.1
              resources:
                limits: {memory: 128Mi}
EOF

# Edge cases where the two tools could read the same fields differently: settings
# overridden per container, defaults, digests, legacy annotations, init containers.
cat > "$work/docs/edge.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: edge-pod, namespace: shop}
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true}
  containers:
    - name: app
      image: nginx
      securityContext:
        runAsNonRoot: false
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        seccompProfile: {type: RuntimeDefault}
        capabilities: {drop: [NET_RAW]}
      resources:
        limits: {cpu: 100m, memory: 64Mi}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: edge-ds}
spec:
  selector: {matchLabels: {app: edge-ds}}
  template:
    metadata: {labels: {app: edge-ds}}
    spec:
      securityContext:
        seccompProfile: {type: Unconfined}
      containers:
        - name: agent
          image: registry.example/agent@sha256:0b2a1c7e4d8f3a6b5c0e1d2f4a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7
          imagePullPolicy: IfNotPresent
          securityContext:
            runAsUser: 1000
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL], add: [SYS_ADMIN]}
          resources:
            requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: edge-sts, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db}
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: runtime/default
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, runAsUser: 999}
      initContainers:
        - name: init
          image: busybox:latest
          imagePullPolicy: Always
          securityContext: {privileged: true}
      containers:
        - name: db
          image: registry.example/db:15
          imagePullPolicy: Never
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            limits: {cpu: "1", memory: 1Gi}
---
apiVersion: batch/v1
kind: Job
metadata: {name: edge-job, namespace: shop}
spec:
  template:
    spec:
      hostPID: true
      restartPolicy: Never
      containers:
        - name: task
          image: registry.example/task:3.1
          imagePullPolicy: Always
          securityContext:
            runAsNonRoot: true
            readOnlyRootFilesystem: true
            capabilities: {drop: [all]}
          resources:
            limits: {cpu: 200m, memory: 64Mi}
EOF

"$work/venv/bin/checkov" -d "$work/docs" --framework kubernetes -o json \
  > "$work/checkov.json" 2>/dev/null || true
"$kensa" manifest "$work/docs" --format json --quiet --scanners config > "$work/kensa.json"

python3 - "$work/checkov.json" "$work/kensa.json" <<'EOF'
import json, sys

# Checkov check -> the kensa rule that answers the same question.
PAIRS = {
    "CKV_K8S_16": "KS-MF-003",  # privileged
    "CKV_K8S_20": "KS-MF-004",  # allowPrivilegeEscalation
    "CKV_K8S_22": "KS-MF-015",  # readOnlyRootFilesystem
    "CKV_K8S_23": "KS-MF-001",  # root containers (runAsNonRoot)
    "CKV_K8S_19": "KS-MF-007",  # hostNetwork
    "CKV_K8S_17": "KS-MF-008",  # hostPID
    "CKV_K8S_18": "KS-MF-009",  # hostIPC
    "CKV_K8S_14": "KS-MF-018",  # latest tag
    "CKV_K8S_43": "KS-MF-019",  # digest
    "CKV_K8S_15": "KS-MF-020",  # pull policy
    "CKV_K8S_11": "KS-MF-017",  # CPU limits
    "CKV_K8S_13": "KS-MF-016",  # memory limits
    "CKV_K8S_37": "KS-MF-005",  # capabilities (drop ALL)
    "CKV_K8S_39": "KS-MF-006",  # SYS_ADMIN
    "CKV_K8S_31": "KS-MF-012",  # seccomp
    "CKV_K8S_38": "KS-MF-022",  # service account token
    "CKV_K8S_21": "KS-MF-023",  # default namespace
    "CKV_K8S_26": "KS-MF-011",  # hostPort
}

# Known, explained disagreements: (checkov id, object name) -> why.
EXPLAINED = {
    ("CKV_K8S_23", "insecure"): "runAsUser: 0 is KS-MF-002 (runs as root), not KS-MF-001 (may run as root)",
}

raw = json.load(open(sys.argv[1]))
runs = raw if isinstance(raw, list) else [raw]
checkov = {}
for run in runs:
    results = run.get("results", {})
    for verdict, key in (("fail", "failed_checks"), ("pass", "passed_checks")):
        for c in results.get(key, []):
            if c["check_id"] not in PAIRS:
                continue
            # Checkov names resources Kind.namespace.name.
            name = c["resource"].split(".")[-1]
            checkov[(c["check_id"], name)] = verdict
kensa_failed = set()
report = json.load(open(sys.argv[2]))
for target in report.get("results", []):
    for f in target["findings"]:
        doc = f["location"].get("document", "")
        name = doc.split("/", 1)[-1]
        kensa_failed.add((f["id"], name))

agree = disagree = unexplained = 0
for (check, name), verdict in sorted(checkov.items()):
    rule = PAIRS[check]
    kensa_verdict = "fail" if (rule, name) in kensa_failed else "pass"
    if kensa_verdict == verdict:
        agree += 1
        continue
    disagree += 1
    why = EXPLAINED.get((check, name))
    if why is None:
        unexplained += 1
        why = "UNEXPLAINED"
    print(f"{name}: {check} {verdict} / {rule} {kensa_verdict}: {why}")
print(f"{agree} verdicts agree, {disagree} differ ({unexplained} unexplained) over {len(PAIRS)} shared checks")
sys.exit(1 if unexplained else 0)
EOF

time_of() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
echo "checkov: $(time_of "$work/venv/bin/checkov" -d "$work/docs" --framework kubernetes -o json --quiet) s"
echo "kensa:   $(time_of "$kensa" manifest "$work/docs" --format json --quiet) s"
