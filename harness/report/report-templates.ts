import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import Handlebars from 'handlebars';
import type { ReportView } from './report-view';

export const TEMPLATES_DIR = resolve(import.meta.dirname, '../../reports/templates');

/**
 * Compiles reports/templates into one render function, in a private Handlebars instance. Data only ever goes
 * through `{{…}}` (escaped). The stylesheet and script are our own files and are inlined verbatim through
 * function partials, so they are never parsed as templates.
 */
export function compileReportTemplate(dir = TEMPLATES_DIR): (view: ReportView) => string {
  const hbs = Handlebars.create();
  const partialsDir = join(dir, 'partials');
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
  }
  const css = readFileSync(join(dir, 'report.css'), 'utf8');
  const js = readFileSync(join(dir, 'report.js'), 'utf8');
  hbs.registerPartial('report-css', () => css);
  hbs.registerPartial('report-js', () => js);
  const template = hbs.compile<ReportView>(readFileSync(join(dir, 'report.hbs'), 'utf8'), { noEscape: false, preventIndent: true });
  return (view) => template(view);
}
