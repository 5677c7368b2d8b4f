/** Story ids (US1), task ids (T018) and a few area words in test and suite titles, for grouping results. */
const TAG = /\b(US\d+|T\d{3})\b/g;

export function tagsOf(titles: string[]): string[] {
  const tags = new Set<string>();
  for (const title of titles) for (const m of title.matchAll(TAG)) tags.add(m[1] as string);
  return [...tags].sort((a, b) =>
    a.startsWith('US') === b.startsWith('US') ? a.localeCompare(b, 'en', { numeric: true }) : a.startsWith('US') ? -1 : 1,
  );
}
