/*
 * util.c - small helpers every tool needs: dotted paths into records, whole
 * files into memory with a cap, the shipped data directory, a clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
			if (cap > max) {
				free(buf);
				if (own)
					close(fd);
				return sc_error_set(err, path, 0, 0, "too-large",
				                    "file larger than the limit of %zu bytes", max);
			}
			nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				if (own)
					close(fd);
				return sc_error_set(err, path, 0, 0, "nomem", "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			if (own)
				close(fd);
			return sc_error_set(err, path, 0, 0, "read", "%s", strerror(e));
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			free(buf);
			if (own)
				close(fd);
			return sc_error_set(err, path, 0, 0, "too-large",
			                    "file larger than the limit of %zu bytes", max);
		}
	}
	if (own)
		close(fd);
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return sc_error_set(err, path, 0, 0, "nomem", "out of memory");
	}
	buf[n] = '\0';  /* a terminator for text users; not counted in len */
	*data = buf;
	*len = n;
	return 0;
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
	/* the build tree: <root>/bin/sc-x or <root>/build-san/bin/sc-x */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
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

double sc_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
