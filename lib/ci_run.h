/*
 * ci_run.h - the runs behind sc-risk's pack commands, between the options and
 * the exit status: the packs a command names (with -L list overrides), loading
 * one with its problems reported, `check` and `test` over several packs in the
 * formats of ci.h, and `--explain` over the input files. Output goes to the
 * FILE the caller passes; diagnostics through the caller's sc_diag.
 */
#ifndef SC_CI_RUN_H
#define SC_CI_RUN_H

#include "ci.h"

#define SC_CI_MAX_OVERRIDES 32

/* The settings every pack-reading command shares. */
struct sc_ci_packs {
	struct sc_pack_override ov[SC_CI_MAX_OVERRIDES];
	struct sc_pack_opts opts;           /* opts.overrides points into ov */
	char default_pack[4096];            /* <datadir>/default */
};

/* Fill c for the program at argv0 (its data folder, no overrides). */
void sc_ci_packs_init(struct sc_ci_packs *c, const char *argv0);
/* -L NAME=PATH: arg is split in place and borrowed. -1 (reported, status 2)
 * when it is not NAME=PATH or there are too many. */
int sc_ci_packs_override(struct sc_ci_packs *c, char *arg, struct sc_diag *d);

/* Load the pack at path, every problem reported through d; NULL (status 2)
 * when it has errors. The caller frees the pack with sc_pack_free. */
struct sc_pack *sc_ci_pack_load(const struct sc_ci_packs *c, const char *path,
                                struct sc_diag *d);

/* `check`: each of packs[0..n) loaded and its findings written to out in fmt
 * (n 0: the default pack). Returns the exit status: 1 when a pack has errors
 * (or warnings, when strict), 2 when out could not be written. */
int sc_ci_check_run(FILE *out, const struct sc_ci_packs *c, enum sc_ci_format fmt, int strict,
                    int n, char **packs, struct sc_diag *d);

/* `test`: each pack's tests run and written (text or junit); min_cov < 0:
 * no coverage threshold. The exit status: 1 when a case fails or coverage is
 * below min_cov, 2 when a pack does not load or out could not be written. */
int sc_ci_test_run(FILE *out, const struct sc_ci_packs *c, enum sc_ci_format fmt,
                   double min_cov, int n, char **packs, struct sc_diag *d);

/* `--explain`: every record of files[0..n) scored by p in this thread and
 * explained on out (sc_ci_explain); records counted in d. -1 when out could
 * not be written. */
int sc_ci_explain_run(FILE *out, const struct sc_pack *p, int n, char **files, struct sc_diag *d);

#endif
