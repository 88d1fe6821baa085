//! Realistic documents written for these tests (a Helm-rendered chart, a CDK-style
//! CloudFormation template, a Compose file with profiles, `extends` and anchors), each
//! with a hardened twin that must give no finding at all, and hostile inputs that must be
//! clear errors naming the file and line.
#![allow(clippy::unwrap_used, reason = "test code")]

use kensa_manifest::{Context, Input, check, read_manifests};

fn run(files: &[(&str, &str)]) -> kensa_manifest::Outcome {
    let inputs: Vec<Input> = files.iter().map(|(n, t)| Input::new(*n, *t)).collect();
    let m = read_manifests(&inputs).unwrap();
    let scanner = kensa_secret::default_scanner().unwrap();
    check(
        &m,
        &Context {
            secrets: Some(scanner),
            partial: false,
            images: &[],
        },
    )
}

/// One line per finding: id, document, field and line, sorted.
fn summary(outcome: &kensa_manifest::Outcome) -> String {
    let mut lines: Vec<String> = outcome
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} [{}] {}:{} {}",
                f.id,
                f.location.document.as_deref().unwrap_or("-"),
                f.location.field.as_deref().unwrap_or("-"),
                f.location.line.unwrap_or(0),
                f.message.as_deref().unwrap_or("")
            )
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

const DIGEST: &str = "sha256:9b2a1c7e4d8f3a6b5c0e1d2f4a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7";

/// What `helm template` prints for a small shop chart: a Namespace, RBAC, a Deployment,
/// a List holding a Service and a CronJob, a StatefulSet and a DaemonSet.
const HELM_CHART: &str = r#"---
# Source: shop/templates/namespace.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: shop-web
  namespace: shop
---
# Source: shop/templates/rbac.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: shop-web
rules:
  - apiGroups: [""]
    resources: ["secrets", "configmaps"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: shop-web
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: shop-web
subjects:
  - kind: ServiceAccount
    name: shop-web
    namespace: shop
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-web
  namespace: shop
  labels:
    app.kubernetes.io/name: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: shop
  template:
    metadata:
      labels:
        app.kubernetes.io/name: shop
    spec:
      serviceAccountName: shop-web
      containers:
        - name: web
          image: "registry.example/shop/web:latest"
          ports:
            - containerPort: 8080
              hostPort: 8080
          env:
            - name: STRIPE_KEY
              value: "sk_live_4eC39HqLyjWDarjtT1zdp7dc9Xz"
          securityContext:
            capabilities:
              add: ["NET_ADMIN"]
---
# Source: shop/templates/extras.yaml
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata:
      name: shop-web
      namespace: shop
    spec:
      ports: [{port: 80, targetPort: 8080}]
  - apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: shop-report
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
                  image: registry.example/shop/report:2.1
                  securityContext:
                    runAsUser: 0
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: shop-db
spec:
  serviceName: shop-db
  template:
    metadata:
      labels: {app: shop-db}
    spec:
      containers:
        - name: db
          image: postgres:16
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: shop-agent
  namespace: shop
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/agent: unconfined
    spec:
      hostPID: true
      volumes:
        - name: sock
          hostPath:
            path: /var/run/docker.sock
      containers:
        - name: agent
          image: registry.example/shop/agent:0.9
          securityContext:
            privileged: true
"#;

/// The same chart as a security review would leave it.
fn hardened_chart() -> String {
    let pod_security = "      automountServiceAccountToken: false\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n        seccompProfile: {type: RuntimeDefault}\n";
    let container = |name: &str, image: &str| {
        format!(
            "        - name: {name}\n          image: registry.example/shop/{image}@{DIGEST}\n          imagePullPolicy: Always\n          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {{drop: [ALL]}}\n          resources:\n            limits: {{cpu: 500m, memory: 256Mi}}\n"
        )
    };
    format!(
        r#"apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: shop
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels: {{kubernetes.io/metadata.name: kube-system}}
      ports: [{{protocol: UDP, port: 53}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: shop-web
  namespace: shop
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    resourceNames: ["shop-web"]
    verbs: ["get", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: shop-web
  namespace: shop
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: shop-web}}
subjects: [{{kind: ServiceAccount, name: shop-web, namespace: shop}}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-web
  namespace: shop
spec:
  template:
    metadata:
      labels: {{app.kubernetes.io/name: shop}}
    spec:
      serviceAccountName: shop-web
{pod_security}      containers:
{web}          env:
            - name: STRIPE_KEY
              valueFrom:
                secretKeyRef: {{name: shop-web, key: stripe}}
---
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: shop-report
      namespace: shop
    spec:
      jobTemplate:
        spec:
          template:
            spec:
{pod_security_indented}              containers:
{report}"#,
        web = container("web", "web:1.4.2"),
        report = container("report", "report:2.1")
            .lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>(),
        pod_security_indented = pod_security
            .lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>(),
    )
}

#[test]
fn a_helm_rendered_chart_is_checked_across_kinds_documents_and_nesting() {
    let outcome = run(&[("chart.yaml", HELM_CHART)]);
    assert_eq!(outcome.documents, 8);
    assert_eq!(outcome.workloads, 4);
    insta::assert_snapshot!("helm_chart", summary(&outcome));
    // The secret is masked wherever it shows.
    for f in &outcome.findings {
        assert!(
            !f.message
                .as_deref()
                .unwrap_or("")
                .contains("4eC39HqLyjWDarjtT1zdp7dc9Xz")
        );
    }
}

#[test]
fn the_hardened_chart_gives_no_finding() {
    let text = hardened_chart();
    let outcome = run(&[("chart.yaml", &text)]);
    assert_eq!(outcome.workloads, 2, "{text}");
    assert_eq!(summary(&outcome), "", "{text}");
}

/// What `cdk synth` writes for an ECS service: JSON, intrinsic functions, a task
/// definition whose image is an asset (`Fn::Sub`) and a sidecar.
const CDK_TEMPLATE: &str = r#"{
  "Resources": {
    "ApiTaskRole5D1A7A8B": {
      "Type": "AWS::IAM::Role",
      "Properties": {"AssumeRolePolicyDocument": {"Statement": []}}
    },
    "ApiTaskDef3E7F1C2A": {
      "Type": "AWS::ECS::TaskDefinition",
      "Properties": {
        "Family": "ShopApiTaskDef",
        "NetworkMode": "awsvpc",
        "RequiresCompatibilities": ["FARGATE"],
        "Cpu": "512",
        "Memory": "1024",
        "TaskRoleArn": {"Fn::GetAtt": ["ApiTaskRole5D1A7A8B", "Arn"]},
        "ContainerDefinitions": [
          {
            "Name": "api",
            "Image": {"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}:4f1c2d"},
            "Essential": true,
            "Privileged": {"Ref": "AllowPrivileged"},
            "Environment": [
              {"Name": "AWS_ACCESS_KEY_ID", "Value": "AKIAZ7Q3XK2M5TN4RWPV"},
              {"Name": "LOG_LEVEL", "Value": "info"}
            ],
            "PortMappings": [{"ContainerPort": 8080, "HostPort": 8080, "Protocol": "tcp"}]
          },
          {
            "Name": "xray",
            "Image": "amazon/aws-xray-daemon",
            "Essential": false,
            "User": "root",
            "LinuxParameters": {"Capabilities": {"Add": ["SYS_PTRACE"]}}
          }
        ]
      }
    }
  }
}
"#;

fn hardened_task(name: &str) -> String {
    format!(
        r#"{{
            "Name": "{name}",
            "Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/{name}:1.4.2@{DIGEST}",
            "Essential": true,
            "User": "10001",
            "ReadonlyRootFilesystem": true,
            "Memory": 512,
            "LinuxParameters": {{"InitProcessEnabled": true, "Capabilities": {{"Drop": ["ALL"]}}}},
            "LogConfiguration": {{"LogDriver": "awslogs", "Options": {{"awslogs-group": {{"Ref": "LogGroup"}}}}}},
            "HealthCheck": {{"Command": ["CMD", "/app/healthz"], "Interval": 30, "Retries": 3}},
            "Secrets": [{{"Name": "DB_PASSWORD", "ValueFrom": {{"Ref": "DbPasswordParameter"}}}}],
            "PortMappings": [{{"ContainerPort": 8080, "HostPort": 8080}}]
          }}"#
    )
}

#[test]
fn a_cdk_template_is_checked_and_intrinsics_are_noted_not_guessed() {
    let outcome = run(&[("cdk.out/Shop.template.json", CDK_TEMPLATE)]);
    assert_eq!(outcome.workloads, 1);
    insta::assert_snapshot!("cdk_template", summary(&outcome));
    let notes: Vec<&str> = outcome.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(
        notes.iter().any(|n| n.contains("{Ref: AllowPrivileged}")),
        "{notes:#?}"
    );
    assert!(notes.iter().any(|n| n.contains("`awsvpc` network mode")));
}

#[test]
fn the_hardened_task_definition_gives_no_finding_in_json_and_yaml() {
    let json = format!(
        r#"{{"Resources": {{"Task": {{"Type": "AWS::ECS::TaskDefinition", "Properties": {{
        "NetworkMode": "awsvpc", "Cpu": "512", "Memory": "1024",
        "ContainerDefinitions": [{}, {}]}}}}}}}}"#,
        hardened_task("api"),
        hardened_task("worker")
    );
    assert_eq!(summary(&run(&[("t.json", &json)])), "");
    let yaml = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Tag: {{Type: String}}\nResources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: !Sub '${{AWS::StackName}}-api'\n      Cpu: '256'\n      TaskRoleArn: !GetAtt Role.Arn\n      ContainerDefinitions:\n        - Name: api\n          Image: registry.example/api:1@{DIGEST}\n          User: '10001'\n          ReadonlyRootFilesystem: true\n          Memory: 512\n          LinuxParameters: {{InitProcessEnabled: true, Capabilities: {{Drop: [ALL]}}}}\n          LogConfiguration: {{LogDriver: awslogs, Options: {{awslogs-group: !Ref Logs}}}}\n          HealthCheck: {{Command: [CMD, /healthz]}}\n"
    );
    assert_eq!(summary(&run(&[("t.yaml", &yaml)])), "");
}

/// A Compose file with anchors, a merge key, `extends`, profiles and interpolation.
const COMPOSE: &str = r#"name: shop
x-defaults: &defaults
  restart: unless-stopped
  logging:
    driver: json-file

services:
  web:
    <<: *defaults
    image: "registry.example/shop/web:${WEB_TAG:-latest}"
    ports: ["8080:8080"]
    environment:
      DATABASE_URL: "postgres://shop:x7Kq2mPz9RtV4wLb@db:5432/shop"
      LOG_LEVEL: info
  worker:
    extends: web
    command: ["worker"]
    cap_add: [SYS_ADMIN]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
  debug:
    profiles: [debug]
    image: busybox
    network_mode: host
    pid: host
    privileged: true
    security_opt: ["seccomp:unconfined"]
"#;

const COMPOSE_HARDENED: &str = r#"name: shop
x-hardened: &hardened
  user: "10001:10001"
  read_only: true
  cap_drop: [ALL]
  security_opt: ["no-new-privileges:true"]
  deploy:
    resources:
      limits: {cpus: "0.5", memory: 256M}

services:
  web:
    <<: *hardened
    image: "registry.example/shop/web:${WEB_TAG:-1.4.2}@sha256:9b2a1c7e4d8f3a6b5c0e1d2f4a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7"
    networks: [front, back]
    environment:
      DATABASE_URL: ${DATABASE_URL}
    secrets: [db_password]
  worker:
    extends: web
    networks: [back]
    profiles: [jobs]

networks:
  front: {}
  back:
    internal: true

secrets:
  db_password:
    file: ./db_password.txt
"#;

#[test]
fn a_compose_file_with_profiles_extends_and_anchors_is_checked() {
    let outcome = run(&[("compose.yaml", COMPOSE)]);
    assert_eq!(outcome.workloads, 3);
    insta::assert_snapshot!("compose", summary(&outcome));
}

#[test]
fn the_hardened_compose_file_gives_no_finding() {
    assert_eq!(summary(&run(&[("compose.yaml", COMPOSE_HARDENED)])), "");
}

#[test]
fn documents_ask_to_ignore_rules_and_the_reason_is_kept() {
    let k8s = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ops\n  annotations:\n    kensa.io/ignore: KS-MF-003, ks-mf-007\n    kensa.io/ignore-reason: node debugging pod, deleted after use\nspec:\n  hostNetwork: true\n  containers:\n  - name: a\n    image: busybox:1.36\n    securityContext: {privileged: true}\n";
    let compose = "x-kensa-ignore: {KS-MF-028: single-service dev stack}\nservices:\n  a:\n    image: x:1\n    x-kensa-ignore: [KS-MF-003]\n    privileged: true\n";
    let ecs = r#"{"taskDefinition": {"family": "agent", "containerDefinitions": [{"name": "a", "privileged": true}]},
      "tags": [{"key": "kensa.io/ignore", "value": "KS-MF-003"}]}"#;
    let outcome = run(&[
        ("pod.yaml", k8s),
        ("compose.yaml", compose),
        ("task.json", ecs),
    ]);
    let mut suppressed: Vec<String> = outcome
        .suppressed
        .iter()
        .map(|s| format!("{} {}", s.finding.id, s.reason))
        .collect();
    suppressed.sort();
    insta::assert_snapshot!("suppressed", suppressed.join("\n"));
    assert!(
        !outcome
            .findings
            .iter()
            .any(|f| f.id == "KS-MF-003" || f.id == "KS-MF-007")
    );
}

fn error_of(name: &str, text: &str) -> String {
    read_manifests(&[Input::new(name, text)])
        .unwrap_err()
        .to_string()
}

#[test]
fn hostile_yaml_and_malformed_json_are_errors_naming_file_and_line() {
    let mut bomb = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i", "j"];
    let mut prev = "a";
    for n in names {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("{n}: &{n} [{refs}]\n"));
        prev = n;
    }
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let block: String = (0..500)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    let huge = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  blob: {}\n",
        "A".repeat(2 << 20)
    );
    let duplicate = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n";
    let json = "{\n  \"family\": \"web\",\n  \"containerDefinitions\": [\n    {\"name\": \"a\",}\n  ]\n}\n";
    let errors = [
        ("bomb.yaml", error_of("bomb.yaml", &bomb)),
        ("deep.yaml", error_of("deep.yaml", &deep)),
        ("block.yaml", error_of("block.yaml", &block)),
        ("huge.yaml", error_of("huge.yaml", &huge)),
        ("dup.yaml", error_of("dup.yaml", duplicate)),
        ("task.json", error_of("task.json", json)),
    ];
    for (name, e) in &errors {
        assert!(e.starts_with(&format!("`{name}`: line ")), "{e}");
    }
    insta::assert_snapshot!(
        "hostile",
        errors
            .iter()
            .map(|(_, e)| e.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
