/**
 * The types the report handlers share with the services: the indicator catalogue (as the
 * parser sees it, plus names, labels and targets) and who the sender is.
 */
export type { Catalogue, ReportIndicator, ReporterUnit, Sender } from '../../src/services/index.js';
