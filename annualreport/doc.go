// Package annualreport drafts the statutory annual report on building a
// government under the rule of law (法治政府建设年度报告) from a unit's
// records of a year, and renders it as Markdown, print-ready HTML and Word.
// It knows nothing of HTTP or SQL: the store gathers the records (Records),
// this package writes the prose; the report's text and the tracing of its
// figures are models' (models.ReportContent).
package annualreport
