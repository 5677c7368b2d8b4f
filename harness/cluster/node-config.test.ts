import { expect } from 'chai';
import { parse } from 'yaml';
import { clusterLayout, nodeAddress } from './cluster-layout';
import { cniConflist, containerdConfig, kubeletConfig, kubeProxyConfig } from './node-config';
import { cidrsOverlap, MAX_PODS, parseCidr } from './one-machine-cluster';
import { subjectAltNames } from './cluster-certificates';

const l = clusterLayout('/repo/.run/cluster');

describe('the one-machine cluster node config', () => {
  it("keeps containerd's root, state, socket, runc state and network namespaces in the cluster's own dirs", () => {
    const toml = containerdConfig(l, 'dapr-harness.local/pause:1.0');
    expect(toml).to.include('root = "/repo/.run/cluster/data/containerd/root"');
    expect(toml).to.include('state = "/repo/.run/cluster/data/containerd/state"');
    expect(toml).to.include('address = "/repo/.run/cluster/data/containerd/containerd.sock"');
    expect(toml).to.include('Root = "/repo/.run/cluster/data/containerd/state/runc"');
    expect(toml).to.include('netns_mounts_under_state_dir = true');
    expect(toml).to.include('restrict_oom_score_adj = true');
    expect(toml).to.include('sandbox_image = "dapr-harness.local/pause:1.0"');
    expect(toml).to.include('bin_dir = "/usr/lib/cni"');
    expect(toml).to.include('conf_dir = "/repo/.run/cluster/data/cni/net.d"');
  });

  it('gives pods a bridge of its own name with addresses kept in its own dir, and no loopback plugin', () => {
    const conf = JSON.parse(cniConflist(l, 1400)) as {
      plugins: { type: string; bridge?: string; mtu?: number; ipam?: { dataDir: string; ranges: { subnet: string }[][] } }[];
    };
    expect(conf.plugins.map((p) => p.type)).to.deep.equal(['bridge', 'portmap']);
    expect(conf.plugins[0]).to.include({ bridge: 'dhbr0', mtu: 1400 });
    expect(conf.plugins[0]?.ipam?.dataDir).to.equal('/repo/.run/cluster/data/cni/ipam');
    expect(conf.plugins[0]?.ipam?.ranges[0]?.[0]?.subnet).to.equal(l.nodePodCidr);
  });

  it('runs the kubelet on cgroupfs under its own cgroup, with room for 50 replicas and the system pods, and CoreDNS as its DNS', () => {
    const k = parse(
      kubeletConfig(l, {
        nodeIp: '192.0.2.2',
        port: 1,
        healthzPort: 2,
        caCert: 'ca',
        tlsCert: 'c',
        tlsKey: 'k',
        resolvConf: '/etc/resolv.conf',
        maxPods: MAX_PODS,
      }),
    ) as Record<string, unknown>;
    expect(k).to.include({ cgroupDriver: 'cgroupfs', cgroupRoot: '/dapr-harness-cluster', failSwapOn: false, podLogsDir: l.podLogsDir });
    expect(k.maxPods).to.be.at.least(110);
    expect(k.clusterDNS).to.deep.equal([l.dnsServiceIp]);
  });

  it("leaves the machine's conntrack settings and route_localnet alone in kube-proxy's iptables mode", () => {
    const p = parse(kubeProxyConfig(l, { kubeconfig: 'kc', nodeIp: '192.0.2.2', healthzPort: 1, metricsPort: 2 })) as {
      mode: string;
      conntrack: { maxPerCore: number };
      iptables: { localhostNodePorts: boolean };
    };
    expect(p.mode).to.equal('iptables');
    expect(p.conntrack.maxPerCore).to.equal(0);
    expect(p.iptables.localhostNodePorts).to.equal(false);
  });

  it('finds the address of the default route, and refuses a machine without one', () => {
    const routes = 'Iface\tDestination\tGateway\nlo\t0000007F\t00000000\neth0\t00000000\t010200C0\n';
    expect(nodeAddress(routes, { eth0: '192.0.2.2' })).to.deep.equal({ ip: '192.0.2.2', iface: 'eth0' });
    expect(() => nodeAddress('Iface\tDestination\n', {})).to.throw(/no default route/);
  });

  it('tells overlapping address ranges apart from separate ones', () => {
    expect(cidrsOverlap(parseCidr('10.213.0.0/16'), parseCidr('10.213.5.0/24'))).to.equal(true);
    expect(cidrsOverlap(parseCidr('10.0.0.0/8'), parseCidr('10.214.0.0/16'))).to.equal(true);
    expect(cidrsOverlap(parseCidr('10.213.0.0/16'), parseCidr('10.214.0.0/16'))).to.equal(false);
    expect(cidrsOverlap(parseCidr('192.0.2.0/24'), parseCidr('10.213.0.0/16'))).to.equal(false);
  });

  it('names addresses as IP and everything else as DNS in certificates', () => {
    expect(subjectAltNames(['192.0.2.2', 'kubernetes.default.svc', '10.214.0.1'])).to.equal(
      'IP:192.0.2.2,DNS:kubernetes.default.svc,IP:10.214.0.1',
    );
  });
});
