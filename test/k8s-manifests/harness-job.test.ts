import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type Manifest } from './support/manifest';
import { renderKustomization } from './support/render-kustomization';
import { validateCoreManifest } from './support/kubernetes-schemas';
import { contextCopySources, excludedByDockerignore, execCmd, finalStage, parseDockerfile } from './support/dockerfile';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', '*'];

describe('k8s/harness: the harness as an in-cluster Job', function () {
  this.timeout(60_000);
  let objects: Manifest[];

  before(() => {
    objects = renderKustomization(join(REPO_ROOT, 'k8s/harness'));
  });

  it('renders valid Kubernetes objects', () => {
    expect(objects.map((o) => o.kind)).to.include.members([
      'ServiceAccount',
      'Job',
      'Role',
      'RoleBinding',
      'ClusterRole',
      'ClusterRoleBinding',
    ]);
    for (const o of objects) expect(validateCoreManifest(o), `${o.kind} ${o.metadata.name}`).to.deep.equal([]);
  });

  it('grants read-only access except the chaos Role, which only deletes pods and scales workloads', () => {
    for (const role of objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
      const rules = (role as unknown as { rules: Rule[] }).rules;
      const writes = rules.filter((r) => r.verbs.some((v) => WRITE_VERBS.includes(v)));
      if (role.metadata.name === 'dapr-harness-chaos') {
        expect(writes.flatMap((r) => r.resources).sort()).to.deep.equal(['deployments/scale', 'pods', 'statefulsets/scale']);
        expect(rules.flatMap((r) => r.verbs)).not.to.include('*');
      } else {
        expect(writes, `${role.metadata.name} must only read`).to.deep.equal([]);
      }
      expect(
        rules.flatMap((r) => r.resources),
        `${role.metadata.name}: no secrets`,
      ).not.to.include('secrets');
    }
  });

  it('runs the acceptance suites against the cluster with the API token from its Secret, as the ServiceAccount', () => {
    const job = objects.find((o) => o.kind === 'Job') as unknown as {
      spec: {
        template: {
          metadata: { annotations: Record<string, string> };
          spec: {
            serviceAccountName: string;
            containers: { args: string[]; env: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[] }[];
          };
        };
      };
    };
    const pod = job.spec.template;
    expect(pod.spec.serviceAccountName).to.equal('dapr-harness');
    expect(pod.metadata.annotations['dapr.io/enabled']).to.equal('false');
    const container = pod.spec.containers[0];
    expect(container?.args.slice(0, 3)).to.deep.equal(['acceptance', '--target', 'kubernetes']);
    expect(container?.env.find((e) => e.name === 'DAPR_API_TOKEN')?.valueFrom?.secretKeyRef?.name).to.equal('dapr-api-token');
  });

  it('builds an image whose every COPY source exists and is not ignored, running the CLI', () => {
    const instructions = parseDockerfile(readFileSync(join(REPO_ROOT, 'k8s/harness/Dockerfile'), 'utf8'));
    const sources = contextCopySources(instructions);
    for (const s of sources) expect(existsSync(join(REPO_ROOT, s)), s).to.equal(true);
    expect(excludedByDockerignore(sources, readFileSync(join(REPO_ROOT, 'k8s/harness/Dockerfile.dockerignore'), 'utf8'))).to.deep.equal([]);
    const final = finalStage(instructions);
    expect(final.find((i) => i.keyword === 'USER')?.args).to.equal('node');
    expect(execCmd(final) ?? []).to.be.an('array');
  });
});
