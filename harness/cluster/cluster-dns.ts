import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterLayout } from './cluster-layout';

export const COREDNS_NAME = 'coredns';
/** The Service name clients (and kubeadm-made clusters) know the cluster's DNS by. */
export const DNS_SERVICE_NAME = 'kube-dns';

/** The name the CoreDNS image is imported under; never pulled (there is no registry). */
export function corednsImageRef(version: string): string {
  return `dapr-harness.local/coredns:${version}`;
}

/** The Corefile: cluster names from the API, everything else forwarded to the machine's resolvers. */
export function corefile(l: ClusterLayout): string {
  return `.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes ${l.clusterDomain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    forward . /etc/resolv.conf
    cache 30
    reload
    loadbalance
}
`;
}

/** What a CoreDNS install is: its identity and rights, its config, one replica, and the Service at the DNS IP. */
export function corednsObjects(l: ClusterLayout, image: string): KubernetesObject[] {
  const ns = 'kube-system';
  const labels = { 'k8s-app': DNS_SERVICE_NAME };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: COREDNS_NAME, namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: COREDNS_NAME, namespace: ns }],
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: COREDNS_NAME, namespace: ns },
      data: { Corefile: corefile(l) },
    } as KubernetesObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: COREDNS_NAME, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: COREDNS_NAME,
            priorityClassName: 'system-cluster-critical',
            // Its upstream is the machine's resolver, not itself.
            dnsPolicy: 'Default',
            containers: [
              {
                name: COREDNS_NAME,
                image,
                imagePullPolicy: 'Never',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                  { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
                ],
                resources: { requests: { cpu: '50m', memory: '40Mi' }, limits: { memory: '170Mi' } },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 10 },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
                },
              },
            ],
            volumes: [{ name: 'config', configMap: { name: COREDNS_NAME } }],
          },
        },
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: DNS_SERVICE_NAME, namespace: ns, labels },
      spec: {
        selector: labels,
        clusterIP: l.dnsServiceIp,
        ports: [
          { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
          { name: 'metrics', port: 9153, targetPort: 9153, protocol: 'TCP' },
        ],
      },
    } as KubernetesObject,
  ];
}
