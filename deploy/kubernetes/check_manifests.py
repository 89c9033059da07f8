#!/usr/bin/env python3
"""Checks rendered timelined manifests (`kubectl kustomize` output) for what the deployment
relies on: a structural check, not a Kubernetes schema validation.

Usage: kubectl kustomize deploy/kubernetes/base | check_manifests.py base
       kubectl kustomize deploy/kubernetes/overlays/kafka | check_manifests.py kafka
Exits 1 listing every problem found.
"""
import sys

import yaml

problems = []


def need(cond, what):
    if not cond:
        problems.append(what)
    return cond


def get(obj, *path, default=None):
    for p in path:
        if isinstance(obj, dict):
            obj = obj.get(p)
        elif isinstance(obj, list) and isinstance(p, int) and p < len(obj):
            obj = obj[p]
        else:
            return default
        if obj is None:
            return default
    return obj


def check_pod(name, spec, kind):
    where = f"{kind}/{name}"
    psc = spec.get("securityContext", {})
    need(psc.get("runAsNonRoot") is True, f"{where}: pod securityContext.runAsNonRoot")
    need(get(psc, "seccompProfile", "type") == "RuntimeDefault",
         f"{where}: seccompProfile RuntimeDefault")
    need(spec.get("serviceAccountName") == "timelined", f"{where}: serviceAccountName timelined")
    containers = spec.get("containers", [])
    need(len(containers) == 1, f"{where}: one container")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for c in containers:
        cw = f"{where} container {c.get('name')}"
        image = c.get("image", "")
        need(":" in image.rsplit("/", 1)[-1], f"{cw}: image with a tag ({image!r})")
        args = c.get("args", [])
        need(args[:1] == ["serve"] and "--config" in args, f"{cw}: args serve --config")
        sc = c.get("securityContext", {})
        need(sc.get("readOnlyRootFilesystem") is True, f"{cw}: readOnlyRootFilesystem")
        need(sc.get("allowPrivilegeEscalation") is False, f"{cw}: allowPrivilegeEscalation false")
        need(get(sc, "capabilities", "drop") == ["ALL"], f"{cw}: capabilities drop ALL")
        need(get(c, "livenessProbe", "httpGet", "path") == "/healthz", f"{cw}: liveness /healthz")
        need(get(c, "readinessProbe", "httpGet", "path") == "/readyz", f"{cw}: readiness /readyz")
        ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
        need(ports.get("http") == 8080, f"{cw}: port http 8080")
        for probe in ("livenessProbe", "readinessProbe"):
            need(get(c, probe, "httpGet", "port") in ("http", 8080), f"{cw}: {probe} port")
        res = c.get("resources", {})
        need(get(res, "requests", "cpu") and get(res, "requests", "memory"),
             f"{cw}: resources.requests cpu and memory")
        need(get(res, "limits", "memory"), f"{cw}: resources.limits.memory")
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        for path in ("/etc/timelined", "/run/secrets/timelined", "/tmp"):
            need(path in mounts, f"{cw}: volume mounted at {path}")
        for m in c.get("volumeMounts", []):
            need(m["name"] in volumes or m["name"] == "data",
                 f"{cw}: mount {m['name']} has a volume")
        conf = args[args.index("--config") + 1] if "--config" in args else ""
        need(conf.startswith("/etc/timelined/"), f"{cw}: config under /etc/timelined")
        yield conf.rsplit("/", 1)[-1], get(volumes, "config", "configMap", "name")
    need(get(volumes, "secrets", "secret", "secretName") == "timelined-secrets",
         f"{where}: Secret timelined-secrets mounted")
    need("emptyDir" in volumes.get("tmp", {}), f"{where}: /tmp is an emptyDir")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "base"
    docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
    by_kind = {}
    for d in docs:
        need(d.get("apiVersion") and d.get("kind") and get(d, "metadata", "name"),
             f"object without apiVersion/kind/name: {d!r:.80}")
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
        if d["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding"):
            need(get(d, "metadata", "namespace") == "timelined",
                 f"{d['kind']}/{d['metadata']['name']}: namespace timelined")

    need("timelined" in by_kind.get("Namespace", {}), "Namespace timelined")
    need("timelined" in by_kind.get("ServiceAccount", {}), "ServiceAccount timelined")
    role = get(by_kind, "ClusterRole", "timelined-events-reader")
    if need(role, "ClusterRole timelined-events-reader"):
        rule_ok = any("events" in r.get("resources", []) and
                      {"list", "watch"} <= set(r.get("verbs", [])) and
                      "" in r.get("apiGroups", []) for r in role.get("rules", []))
        need(rule_ok, "ClusterRole: list and watch events in the core group")
    binding = get(by_kind, "ClusterRoleBinding", "timelined-events-reader")
    if need(binding, "ClusterRoleBinding timelined-events-reader"):
        need(get(binding, "roleRef", "name") == "timelined-events-reader", "binding roleRef")
        need({"kind": "ServiceAccount", "name": "timelined", "namespace": "timelined"}
             in binding.get("subjects", []), "binding subject ServiceAccount timelined")

    configmaps = by_kind.get("ConfigMap", {})
    need(any(n.startswith("timelined-config") for n in configmaps), "ConfigMap timelined-config")
    for cm in configmaps.values():
        need("timelined.toml" in cm.get("data", {}), f"ConfigMap {cm['metadata']['name']}: timelined.toml")

    sts = get(by_kind, "StatefulSet", "timelined")
    workloads = []
    if need(sts, "StatefulSet timelined"):
        spec = sts["spec"]
        need(spec.get("replicas") == 1, "StatefulSet: replicas 1 (SQLite has one writer)")
        need(spec.get("serviceName") in by_kind.get("Service", {}), "StatefulSet: serviceName is a Service")
        claims = spec.get("volumeClaimTemplates", [])
        need(claims and get(claims, 0, "metadata", "name") == "data" and
             get(claims, 0, "spec", "resources", "requests", "storage"),
             "StatefulSet: volumeClaimTemplates data with a storage request")
        pod = get(spec, "template", "spec", default={})
        mounts = {m["mountPath"]: m["name"] for m in get(pod, "containers", 0, "volumeMounts", default=[])}
        need(mounts.get("/var/lib/timelined") == "data", "StatefulSet: PVC mounted at /var/lib/timelined")
        need(get(pod, "securityContext", "fsGroup"), "StatefulSet: fsGroup (PVC writable)")
        workloads.append(("StatefulSet", "timelined", sts))
        args = get(pod, "containers", 0, "args", default=[])
        want = "store" if mode == "kafka" else "all"
        need(args[-2:] == ["--role", want], f"StatefulSet: --role {want}")
    for name, dep in by_kind.get("Deployment", {}).items():
        workloads.append(("Deployment", name, dep))

    for kind, name, obj in workloads:
        pod = get(obj, "spec", "template", "spec", default={})
        sel = get(obj, "spec", "selector", "matchLabels", default={})
        labels = get(obj, "spec", "template", "metadata", "labels", default={})
        need(sel and all(labels.get(k) == v for k, v in sel.items()),
             f"{kind}/{name}: selector matches the template labels")
        for file, cm in check_pod(name, pod, kind):
            if need(cm in configmaps, f"{kind}/{name}: ConfigMap {cm} exists"):
                need(file in configmaps[cm].get("data", {}), f"{kind}/{name}: {file} in ConfigMap {cm}")

    services = by_kind.get("Service", {})
    need("timelined" in services, "Service timelined")
    for name, svc in services.items():
        sel = get(svc, "spec", "selector", default={})
        matched = [w for w in workloads
                   if all(get(w[2], "spec", "template", "metadata", "labels", k) == v
                          for k, v in sel.items())]
        need(sel and matched, f"Service/{name}: selects a workload")
        need(any(p.get("port") == 8080 for p in get(svc, "spec", "ports", default=[])),
             f"Service/{name}: port 8080")
    need(by_kind.get("PodDisruptionBudget"), "a PodDisruptionBudget")
    need(by_kind.get("NetworkPolicy"), "a NetworkPolicy")

    if mode == "kafka":
        deps = by_kind.get("Deployment", {})
        ingest = deps.get("timelined-ingest")
        if need(ingest, "Deployment timelined-ingest"):
            need(get(ingest, "spec", "template", "spec", "containers", 0, "args", default=[])[-2:]
                 == ["--role", "ingest"], "timelined-ingest: --role ingest")
            need(not get(ingest, "spec", "template", "spec", "volumes", default=[]) or
                 all("persistentVolumeClaim" not in v
                     for v in ingest["spec"]["template"]["spec"]["volumes"]),
                 "timelined-ingest: no PVC (stateless)")
        watcher = deps.get("timelined-watcher")
        if need(watcher, "Deployment timelined-watcher"):
            need(get(watcher, "spec", "replicas") == 1, "timelined-watcher: replicas 1")
            need(get(watcher, "spec", "strategy", "type") == "Recreate", "timelined-watcher: Recreate")
        need("timelined-ingest" in services, "Service timelined-ingest")
        for cm in configmaps.values():
            toml = cm.get("data", {}).get("timelined.toml", "")
            need("brokers = \"" in toml and "brokers = \"\"" not in toml,
                 "kafka overlay: timelined.toml sets [kafka] brokers")

    if problems:
        for p in problems:
            print(f"  FAIL {p}")
        return 1
    print(f"  ok: {len(docs)} objects ({mode})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
