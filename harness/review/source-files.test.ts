import { expect } from 'chai';
import { isReviewError, parseSourceFile } from './source-files';

describe('source files', () => {
  it('keeps every document of a multi-document file with the line of each key', () => {
    const parsed = parseSourceFile('x.yaml', 'kind: A\n---\n# comment\nkind: B\nspec:\n  deep:\n    key: 1\n');
    if (isReviewError(parsed)) throw new Error(parsed.message);
    expect(parsed.documents).to.have.length(2);
    const second = parsed.documents[1]?.root;
    expect(second?.get('kind')?.line).to.equal(4);
    expect(second?.at('spec', 'deep', 'key')?.line).to.equal(7);
    expect(second?.at('spec', 'deep')?.line).to.equal(6);
  });

  it('reports the first syntax error with its line', () => {
    const parsed = parseSourceFile('x.yaml', 'a: 1\nb: 2\nb: 3\n');
    expect(isReviewError(parsed)).to.equal(true);
    expect(parsed).to.include({ file: 'x.yaml', line: 3 });
  });

  it('reads scalars as Dapr reads string fields', () => {
    const parsed = parseSourceFile('x.yaml', 'a: "true"\nb: 8080\nc: ""\n');
    if (isReviewError(parsed)) throw new Error(parsed.message);
    const root = parsed.documents[0]?.root;
    expect(root?.get('a')?.bool()).to.equal(true);
    expect(root?.get('b')?.str()).to.equal('8080');
    expect(root?.get('b')?.num()).to.equal(8080);
    expect(root?.get('c')?.present).to.equal(false);
    expect(root?.get('missing')).to.equal(undefined);
  });
});
