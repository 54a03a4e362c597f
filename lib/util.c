/*
 * util.c - small helpers every tool needs: dotted paths into records, whole
 * files into memory with a cap, the shipped data directory, a clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "errcode.h"
#include "sc.h"

json_t *sc_json_path(const json_t *root, const char *path)
{
	const json_t *cur = root;
	char key[256];

	while (cur && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (json_is_object(cur)) {
			cur = json_object_get(cur, key);
		} else if (json_is_array(cur)) {
			char *end;
			long i = strtol(key, &end, 10);
			if (*end || i < 0)
				return NULL;
			cur = json_array_get(cur, (size_t)i);
		} else {
			return NULL;
		}
		path += n + (dot ? 1 : 0);
	}
	return (json_t *)cur;
}

int sc_resize(void *pp, size_t n, size_t elem)
{
	void *p;
	size_t bytes = n * elem;

	if (elem && n > SIZE_MAX / elem)
		return -1;
	memcpy(&p, pp, sizeof p);
	if (!(p = realloc(p, bytes ? bytes : 1)))
		return -1;
	memcpy(pp, &p, sizeof p);
	return 0;
}

int sc_grow(void *pp, size_t *cap, size_t first, size_t elem)
{
	size_t n = *cap ? *cap * 2 : first;

	if (n < *cap || sc_resize(pp, n, elem) < 0)
		return -1;
	*cap = n;
	return 0;
}

int sc_read_file(const char *path, size_t max, unsigned char **data, size_t *len,
                 struct sc_error *err)
{
	int fd = 0, own = 0;
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	*data = NULL;
	*len = 0;
	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return sc_error_set(err, path, 0, 0, "open", "%s", strerror(errno));
		own = 1;
	}
	for (;;) {
		ssize_t got;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			unsigned char *nb;
			if (cap > max)
				goto too_large;
			if (!(nb = realloc(buf, ncap + 1))) {
				sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			sc_error_set(err, path, 0, 0, "read", "%s", strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max)
			goto too_large;
	}
	if (own)
		close(fd);
	if (!buf && !(buf = malloc(1)))
		return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	buf[n] = '\0';  /* a terminator for text users; not counted in len */
	*data = buf;
	*len = n;
	return 0;
too_large:
	sc_error_set(err, path, 0, 0, "too-large", "file larger than the limit of %zu bytes", max);
fail:
	free(buf);
	if (own)
		close(fd);
	return -1;
}

#ifndef SC_DATADIR_INSTALLED
#define SC_DATADIR_INSTALLED "/usr/local/share/smart-customs"
#endif

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *sc_datadir(const char *argv0)
{
	static char found[PATH_MAX];
	char exe[PATH_MAX], probe[PATH_MAX + 32];  /* probe: exe plus a short suffix */
	const char *env = getenv("SC_DATADIR");
	ssize_t n;

	(void)argv0;
	if (env && *env)
		return env;
	if (found[0])
		return found;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		/* an installed tree, wherever it stands (staged, moved, relocated):
		 * <bindir>/../share/smart-customs */
		if (slash) {
			*slash = '\0';
			snprintf(probe, sizeof probe, "%s/../share/smart-customs", exe);
			if (is_dir(probe) && realpath(probe, found))
				return found;
			*slash = '/';
		}
		/* the build tree: <root>/bin/sc-x or <root>/build-san/bin/sc-x */
		for (int up = 0; up < 3; up++) {
			slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = '\0';
			snprintf(probe, sizeof probe, "%s/rules", exe);
			if (!is_dir(probe))
				continue;
			snprintf(probe, sizeof probe, "%s/Makefile", exe);
			if (access(probe, F_OK) == 0) {
				snprintf(found, sizeof found, "%.4000s/rules", exe);
				return found;
			}
		}
	}
	/* the PREFIX it was built for */
	snprintf(found, sizeof found, "%s", SC_DATADIR_INSTALLED);
	return found;
}

int sc_parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int sc_parse_u64(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s == '-' || *s == '+')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

int sc_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE || end == s || *end || !(v >= lo && v <= hi))
		return -1;   /* !(...) also refuses NaN */
	*out = v;
	return 0;
}

int sc_parse_size(const char *s, size_t *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v > 0))
		return -1;
	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	}
	if (*end || v > 1e18)
		return -1;
	*out = (size_t)v;
	return 0;
}

int sc_model_header_check(const json_t *header, const char *format, const char *maker,
                          int version, const char *name, struct sc_error *err)
{
	const json_t *f = json_object_get(header, "format"), *v = json_object_get(header, "v");

	if (!json_is_object(header) || !json_is_string(f) || strcmp(json_string_value(f), format))
		return sc_error_set(err, name, 0, 0, "bad-model", "not a model file of %s", maker);
	if (!json_is_integer(v))
		return sc_error_set(err, name, 0, 0, "model-version",
		                    "model file without a format version; this program reads version %d",
		                    version);
	if (json_integer_value(v) != version)
		return sc_error_set(err, name, 0, 0, "model-version",
		                    "model file format version %lld; this program reads version %d: "
		                    "learn the model again", (long long)json_integer_value(v), version);
	return 0;
}

double sc_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- an output file replaced only when complete ----------------------------- */

/*
 * The temporary of the one output file a run writes, for the signal handler:
 * a SIGINT or SIGTERM mid-run removes it (unlink is async-signal-safe) and
 * then dies of the same signal, so the caller sees 130 or 143.
 */
static char tmp_pending[PATH_MAX];
static volatile sig_atomic_t tmp_armed;

/* SIGINT and SIGTERM (and SIGHUP with hup) to fn, without SA_RESTART. */
static void catch_signals(void (*fn)(int), int hup)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (hup)
		sigaction(SIGHUP, &sa, NULL);
}

static void on_signal(int sig)
{
	if (tmp_armed)
		unlink(tmp_pending);
	signal(sig, SIG_DFL);
	raise(sig);
}

struct sc_outfile {
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	FILE *fp;
	mode_t mode;
};

int sc_outfile_open(const char *path, struct sc_outfile **out, struct sc_error *err)
{
	struct sc_outfile *o;
	struct stat st;
	const char *slash = strrchr(path, '/');
	int fd;
	mode_t mask;

	*out = NULL;
	if (strlen(path) + 16 >= PATH_MAX)
		return sc_error_set(err, path, 0, 0, "open", "path too long");
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return sc_error_set(err, path, 0, 0, "not-regular",
		                    "exists and is not a regular file (%s): refusing to replace it",
		                    S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ?
		                    "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or socket");
	o = calloc(1, sizeof *o);
	if (!o)
		return sc_error_set(err, path, 0, 0, SC_E_NOMEM, "out of memory");
	snprintf(o->path, sizeof o->path, "%s", path);
	/* beside the output, so the rename stays within one file system; mkstemp
	 * creates it with O_CREAT|O_EXCL (a planted name or link is never followed) */
	snprintf(o->tmp, sizeof o->tmp, "%.*s.%s.XXXXXX", slash ? (int)(slash - path + 1) : 0,
	         path, slash ? slash + 1 : path);
	mask = umask(0);
	umask(mask);
	o->mode = lstat(path, &st) == 0 ? (st.st_mode & 07777) : (0666 & ~mask);
	if ((fd = mkstemp(o->tmp)) < 0) {
		sc_error_set(err, o->tmp, 0, 0, "open", "cannot create a temporary: %s", strerror(errno));
		free(o);
		return -1;
	}
	if (fchmod(fd, o->mode) < 0 || !(o->fp = fdopen(fd, "w"))) {
		sc_error_set(err, o->tmp, 0, 0, "open", "%s", strerror(errno));
		close(fd);
		unlink(o->tmp);
		free(o);
		return -1;
	}
	snprintf(tmp_pending, sizeof tmp_pending, "%s", o->tmp);
	tmp_armed = 1;
	catch_signals(on_signal, 1);
	*out = o;
	return 0;
}

FILE *sc_outfile_fp(struct sc_outfile *o)
{
	return o->fp;
}

int sc_outfile_commit(struct sc_outfile *o, struct sc_error *err)
{
	struct stat st;
	int bad = fflush(o->fp) != 0 || ferror(o->fp);
	int e = errno;

	if (fsync(fileno(o->fp)) < 0 && errno != EINVAL && !bad)
		bad = 1, e = errno;
	if (fclose(o->fp) != 0 && !bad)
		bad = 1, e = errno;
	o->fp = NULL;
	if (bad)
		return sc_error_set(err, o->path, 0, 0, "write", "write error: %s", strerror(e));
	/* what was planted at OUT while we wrote is not replaced either */
	if (lstat(o->path, &st) == 0 && !S_ISREG(st.st_mode))
		return sc_error_set(err, o->path, 0, 0, "not-regular",
		                    "is no longer a regular file: refusing to replace it");
	if (rename(o->tmp, o->path) < 0)
		return sc_error_set(err, o->path, 0, 0, "write", "%s", strerror(errno));
	tmp_armed = 0;
	o->tmp[0] = '\0';
	return 0;
}

void sc_outfile_free(struct sc_outfile *o)
{
	if (!o)
		return;
	if (o->fp)
		fclose(o->fp);
	if (o->tmp[0]) {
		tmp_armed = 0;
		unlink(o->tmp);
	}
	free(o);
}

/* ---- stopping at a record boundary ------------------------------------------ */

static volatile sig_atomic_t stop_sig;
static struct timespec stop_first;

/*
 * A second signal means "now", but only when it comes a while after the
 * first: GNU timeout and a kill of a process group deliver one request twice
 * within microseconds (to the child, then to its group), and that is still
 * one request to stop at a record boundary. clock_gettime is async-signal-safe.
 */
static void on_stop(int sig)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (stop_sig) {
		double since = (double)(now.tv_sec - stop_first.tv_sec) +
		               (double)(now.tv_nsec - stop_first.tv_nsec) / 1e9;
		if (since >= 0.5)
			on_signal(sig);
		return;
	}
	stop_first = now;
	stop_sig = sig;
}

void sc_stop_install(void)
{
	/* no SA_RESTART: a read blocked on a silent pipe returns, and the loop
	 * sees the request instead of waiting for input that may never come */
	catch_signals(on_stop, 0);
}

int sc_stop_requested(void)
{
	return stop_sig;
}

void sc_stop_now(void)
{
	if (stop_sig)
		on_signal(stop_sig);
}
