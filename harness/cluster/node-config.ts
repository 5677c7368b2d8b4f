import { stringify } from 'yaml';
import type { ClusterLayout } from './cluster-layout';

/** Where the CNI plugins are installed by Debian's containernetworking-plugins. */
export const CNI_BIN_DIR = '/usr/lib/cni';

/**
 * containerd's config: everything under the cluster's own dirs (root, state, socket, runc's state, network
 * namespaces), the CRI with the cluster's CNI config and a local pause image (there is no registry).
 */
export function containerdConfig(l: ClusterLayout, sandboxImage: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${JSON.stringify(l.containerdRoot)}
state = ${JSON.stringify(l.containerdState)}
# opt would install into /opt/containerd; the other snapshotters are unused here.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = ${JSON.stringify(l.containerdSocket)}

[ttrpc]
  address = ${JSON.stringify(`${l.containerdSocket}.ttrpc`)}

[${cri}]
  sandbox_image = ${JSON.stringify(sandboxImage)}
  # This machine withholds CAP_SYS_RESOURCE even from root: runc cannot set a negative oom_score_adj.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"

  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [${cri}.containerd.runtimes.runc.options]
        Root = ${JSON.stringify(`${l.containerdState}/runc`)}
        SystemdCgroup = false

  [${cri}.cni]
    bin_dir = ${JSON.stringify(CNI_BIN_DIR)}
    conf_dir = ${JSON.stringify(l.cniConfDir)}
    max_conf_num = 1
`;
}

/**
 * The pods' network: a bridge of the cluster's own name with host-local addresses kept in the cluster's dir, NAT
 * for traffic leaving the node, hairpin so a pod reaches itself through its Service. No `loopback` plugin:
 * containerd sets up lo itself.
 */
export function cniConflist(l: ClusterLayout, mtu: number): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: l.networkName,
      plugins: [
        {
          type: 'bridge',
          bridge: l.bridge,
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          mtu,
          ipam: { type: 'host-local', ranges: [[{ subnet: l.nodePodCidr }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: l.cniIpamDir },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export interface KubeletConfigInput {
  nodeIp: string;
  port: number;
  healthzPort: number;
  caCert: string;
  tlsCert: string;
  tlsKey: string;
  resolvConf: string;
  /** Room for 50 autoscaled replicas beside the system and Dapr pods. */
  maxPods: number;
}

export function kubeletConfig(l: ClusterLayout, c: KubeletConfigInput): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: c.nodeIp,
    port: c.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: c.healthzPort,
    containerRuntimeEndpoint: `unix://${l.containerdSocket}`,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: `/${l.cgroupRoot}`,
    cgroupsPerQOS: true,
    enforceNodeAllocatable: ['pods'],
    failSwapOn: false,
    maxPods: c.maxPods,
    clusterDNS: [l.dnsServiceIp],
    clusterDomain: l.clusterDomain,
    resolvConf: c.resolvConf,
    podLogsDir: l.podLogsDir,
    volumePluginDir: `${l.kubeletRoot}/volume-plugins`,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: c.caCert } },
    authorization: { mode: 'Webhook' },
    tlsCertFile: c.tlsCert,
    tlsPrivateKeyFile: c.tlsKey,
    rotateCertificates: false,
    serializeImagePulls: false,
    // Images are imported, never pulled: garbage-collecting them would lose them for good.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '5%', 'imagefs.available': '5%' },
  });
}

export interface KubeProxyConfigInput {
  kubeconfig: string;
  nodeIp: string;
  healthzPort: number;
  metricsPort: number;
}

export function kubeProxyConfig(l: ClusterLayout, c: KubeProxyConfigInput): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: c.kubeconfig },
    mode: 'iptables',
    hostnameOverride: l.nodeName,
    clusterCIDR: l.podCidr,
    bindAddress: c.nodeIp,
    healthzBindAddress: `127.0.0.1:${c.healthzPort}`,
    metricsBindAddress: `127.0.0.1:${c.metricsPort}`,
    nodePortAddresses: [`${c.nodeIp}/32`],
    // 0: leave the machine's conntrack table and timeouts as they are (and no conntrack tool is needed).
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    // NodePorts on 127.0.0.1 would need route_localnet=1 on the whole machine.
    iptables: { localhostNodePorts: false },
  });
}

/**
 * A kubeconfig with the admin token, for the cluster's own parts and for its user. No namespace unless given: kubectl
 * then uses default, and the harness the reference deployment's namespace.
 */
export function kubeconfigYaml(context: string, server: string, caPem: string, token: string, namespace?: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: context, cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: context, context: { cluster: context, user: 'admin', ...(namespace ? { namespace } : {}) } }],
    'current-context': context,
  });
}
