/*
 * errcode.h - the codes of struct sc_error: the vocabulary of the `errors[]`
 * entries every tool appends to a record and of its diagnostics (man/sc.7,
 * ERROR CODES, lists the same). A code is short, stable and spelled one way;
 * scripts match on it. New codes are added here, and in sc.7, first.
 *
 * The lint findings of a rule pack (sc-risk check) and the reasons of
 * scan.reasons[] and wood.reasons[] are vocabularies of their own (sc-rules(5),
 * sc-scan(1), sc-wood(1)); the expression errors of a pack that reach a
 * record's errors[] are listed here.
 */
#ifndef SC_ERRCODE_H
#define SC_ERRCODE_H

/* X(code, meaning): every code, in the order of sc.7. */
#define SC_ERRCODES(X) \
	/* any tool */ \
	X("nomem", "out of memory") \
	X("error", "an error given no code of its own (a fault to fix: give it one)") \
	X("open", "a file could not be opened") \
	X("read", "a file could not be read to its end") \
	X("write", "an output could not be written") \
	X("io", "another input or output failure") \
	X("not-regular", "an output path that is not a regular file (a link, a FIFO)") \
	X("interrupted", "stopped by a signal before the input was whole") \
	/* JSON lines */ \
	X("bad-json", "a line that is not valid JSON") \
	X("not-object", "a line that is JSON but not an object") \
	X("line-too-long", "a line longer than the limit") \
	X("too-deep", "nesting deeper than the limit (JSON, an expression, folders)") \
	X("bad-utf8", "text that is not valid UTF-8") \
	/* files, archives, folders (sc-ocr) */ \
	X("archive", "an archive that cannot be read") \
	X("loop", "a folder that links back to itself") \
	X("not-file", "a path that is not a file or a folder") \
	X("too-many", "more members or files than the limit") \
	X("too-large", "a file or member larger than the limit") \
	X("truncated", "an input cut short") \
	X("damaged", "an input whose structure is broken") \
	/* OCR (sc-ocr) */ \
	X("bad-image", "an image that cannot be decoded") \
	X("not-image", "a file that is neither an image nor a PDF") \
	X("bad-pdf", "a PDF that cannot be read") \
	X("no-page", "a page that is not there") \
	X("ocr-failed", "the OCR engine failed on a page") \
	X("tesseract", "the OCR engine could not be started") \
	X("cv", "the image library failed") \
	/* reading documents (sc-parse) */ \
	X("bad-ocr", "an ocr namespace that is not an object") \
	X("empty-page", "a page with no text") \
	X("too-long", "a text or a name longer than the limit") \
	X("bad-template", "a document template that cannot be used") \
	X("bad-table", "a table of the shipped data that cannot be used") \
	X("no-templates", "no document templates found") \
	X("bad-truth", "a truth file of parse learn that cannot be used") \
	X("no-path", "a record with no src.path") \
	X("no-documents", "no documents to learn from") \
	X("no-words", "a document with no words") \
	X("too-many-types", "more document types than a model holds") \
	/* tables and maps (sc-import) */ \
	X("bad-map", "a column map that cannot be used") \
	X("no-column", "a column the map needs is not in the table") \
	X("dup-column", "a column name given twice") \
	X("csv-quote", "a CSV field whose quotes do not close") \
	X("csv-width", "a CSV row with more fields than the header") \
	X("csv-nul", "a CSV field that holds a NUL byte") \
	X("csv-field-size", "a CSV field longer than --max-field") \
	X("csv-row-size", "a CSV row longer than --max-row") \
	X("csv-fields", "a CSV row with more fields than the reader takes") \
	X("short-row", "a row with fewer fields than the header") \
	X("no-id", "a row with no declaration id") \
	X("bad-value", "a value that does not read as its type") \
	X("bad-hs", "an HS code that is not one") \
	X("too-many-items", "a declaration with more items than the limit") \
	/* risk (sc-risk) */ \
	X("bad-decl", "a decl namespace that is not an object") \
	X("bad-type", "a value of the wrong type for a rule") \
	X("bad-list", "a list or table of a rule pack that cannot be used") \
	X("bad-regex", "a regular expression that cannot be used") \
	X("regex-limit", "a regular expression that ran out of its budget") \
	X("budget", "a rule that ran out of its evaluation budget") \
	X("type", "an expression applied to a value of the wrong type") \
	X("rule", "a rule that could not be evaluated") \
	X("yaml", "YAML that cannot be read") \
	X("bad-number", "a number that does not read as one") \
	X("bad-expr", "an expression that cannot be compiled (--fail-if, rules)") \
	X("bad-model", "a model file that is not one, or is damaged") \
	X("model-version", "a model file of a format version this program does not read") \
	X("no-decl", "a record with no decl to learn from or score") \
	X("no-label", "a record with no 0/1 label at the --label path") \
	X("no-date", "a record with no ISO date at decl.date") \
	X("no-score", "a record with no score at the --score path") \
	X("no-value", "a record with no value at the --value path") \
	X("empty", "nothing to learn from") \
	X("one-class", "learning data with one outcome only") \
	X("singular", "learning data that a model cannot be fitted to") \
	/* joining (sc-join) */ \
	X("no-key", "a record with no key to join on") \
	X("bad-tolerance", "a tolerance that is not one") \
	X("duplicate-decl", "two electronic declarations with one id") \
	X("links-two-decls", "a document that links two declarations") \
	X("link-cycle", "records whose links form a cycle") \
	/* images (sc-scan, sc-wood) */ \
	X("no-image", "a record that names no image") \
	X("not-an-image", "a file that is not an image of the kind expected") \
	X("not-a-scan", "an image that is not an X-ray transmission scan") \
	X("too-small", "an image too small to read") \
	X("bit-depth", "an image whose bit depth is not what its data or --bits says") \
	X("bad-calibration", "a calibration or parameter file of sc-scan that cannot be used") \
	X("overlay", "an overlay image that could not be written") \
	X("bad-library", "a reference library that cannot be used") \
	X("bad-taxon", "a taxon that is not in the library") \
	X("unknown-taxon", "an expert's answer that names an unknown taxon") \
	X("bad-answer", "an expert's answer that cannot be used") \
	X("bad-package", "a package for the expert that cannot be used") \
	X("wrong-package", "an expert's answer that belongs to another package") \
	X("no-answer", "no answer for a referral") \
	X("unanswered", "a referral still open") \
	X("exists", "an output that exists already") \
	/* reports (sc-report) */ \
	X("bad-baseline", "a baseline that is not an earlier -f json report") \
	X("bad-columns", "a --columns list that cannot be used")

/* Out of memory, spelled one way: a literal for sc_error_set. */
#define SC_E_NOMEM "nomem"

/* The vocabulary's spelling of code: itself when listed, "nomem" for the
 * spellings of out-of-memory of before ("oom", "no-memory"), NULL when the
 * code is not in the vocabulary. */
const char *sc_errcode_canonical(const char *code);
/* The meaning of a listed code, or NULL. */
const char *sc_errcode_meaning(const char *code);

#endif
