/*
 * report_doc.h - sc-report's document model between the summary and the
 * renderers: {"title","label","records","sections":[{"id","title","blocks":[
 * {"para":s} | {"table":{"caption","cols","align","rows"}} |
 * {"chart":{"kind":"hbar"|"vbar"|"line","title","labels","series","colors"?}}]}]}.
 * Every string in it may come from a record: renderers escape all of them.
 */
#ifndef SC_REPORT_DOC_H
#define SC_REPORT_DOC_H

#include <jansson.h>

/* A new document (the caller decrefs); summary and baseline are borrowed. */
json_t *sc_report_doc(const json_t *summary, const json_t *baseline);

#endif
