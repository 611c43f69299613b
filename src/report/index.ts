/** The report layer: results to terminal, progress display and a self-contained HTML file. */
export { type HtmlReportOptions, MAX_REPORT_BYTES, renderHtmlReport } from './render-html.js';
export { createProgress, type Progress, type ProgressOptions } from './progress.js';
export { renderTerminalSummary, type TerminalOptions } from './terminal.js';
export { type WrittenReport, writeReport } from './write-report.js';
