/*
 * progress.h - a progress line on standard error for long batches, shown
 * only when stderr is a terminal (never in a pipe's data): done/total, rate, ETA.
 */
#ifndef SC_PROGRESS_H
#define SC_PROGRESS_H

struct sc_progress;

/* unit: "pages", "records"; total 0 if unknown (no ETA). NULL if not a tty
 * (all calls accept NULL, so callers need not check). Set SC_PROGRESS=1 to
 * force it on, SC_PROGRESS=0 to force it off. */
struct sc_progress *sc_progress_new(const char *prog, const char *unit, unsigned long total);
void sc_progress_set_total(struct sc_progress *p, unsigned long total);
/* Redraws at most a few times a second. Thread-safe. */
void sc_progress_update(struct sc_progress *p, unsigned long done);
/* Around a diagnostic (lib/diag.c does it): clear the line on screen, so the
 * message starts a line of its own, and draw it again after. Always in pairs;
 * the progress line waits in between. */
void sc_progress_suspend(void);
void sc_progress_resume(void);
/* Clears the line and frees. */
void sc_progress_free(struct sc_progress *p);

#endif
