/** An id for in-page links built from data: only [a-z0-9-], so no title can break out of the attribute or URL. */
export function anchorFor(prefix: string, name: string): string {
  return `${prefix}-${
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'x'
  }`;
}
