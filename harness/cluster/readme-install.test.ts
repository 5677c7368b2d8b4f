import { expect } from 'chai';
import { bashBlocks, singleNodeInstallScript } from './readme-install';

describe('k8s/dapr-system/README.md: the single-node install commands', () => {
  it('are the README blocks of each step, the module chart with the single-node values for Dapr', () => {
    const script = singleNodeInstallScript();
    expect(script).to.include('create secret generic dapr-api-token');
    expect(script).to.include('create secret generic app-api-token');
    expect(script).to.match(/helm upgrade --install dapr "\$\(npm run --silent dapr-chart\)"/);
    expect(script).to.include('dapr-values-single-node.yaml');
    expect(script).to.not.include('dapr/dapr --version');
    expect(script).to.include('kubectl apply -k k8s/dapr-system/backing-services');
    expect(script).to.include('job/jetstream-stream-tasks');
  });

  it('fails naming a heading that is not there', () => {
    expect(() => bashBlocks('# x\n', '## 9. Nothing')).to.throw(/## 9\. Nothing/);
  });
});
