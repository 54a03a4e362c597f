/*
 * progress.c - the progress line. It writes "\r...\033[K" to stderr only,
 * and only when stderr is a terminal, so pipes and logs never carry it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "sc.h"

struct sc_progress {
	char prog[32], unit[16];
	unsigned long total, done;
	double start, last;
	pthread_mutex_t mu;
	int drawn;
};

/* The line on screen, so that a diagnostic can clear it before it prints
 * (sc_progress_suspend) and draw it again after (sc_progress_resume). */
static pthread_mutex_t active_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sc_progress *active;

struct sc_progress *sc_progress_new(const char *prog, const char *unit, unsigned long total)
{
	const char *force = getenv("SC_PROGRESS");
	struct sc_progress *p;

	if (force && *force == '0')
		return NULL;
	if (!(force && *force == '1') && !isatty(2))
		return NULL;
	p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	snprintf(p->prog, sizeof p->prog, "%s", prog);
	snprintf(p->unit, sizeof p->unit, "%s", unit);
	p->total = total;
	p->start = sc_now();
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_lock(&active_mu);
	active = p;
	pthread_mutex_unlock(&active_mu);
	return p;
}

void sc_progress_set_total(struct sc_progress *p, unsigned long total)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->total = total;
	pthread_mutex_unlock(&p->mu);
}

static void draw(struct sc_progress *p, double now)
{
	double el = now - p->start, rate = el > 0 ? p->done / el : 0;

	if (p->total > 0 && rate > 0) {
		double eta = (p->total - (p->done < p->total ? p->done : p->total)) / rate;
		fprintf(stderr, "\r%s: %lu/%lu %s, %.1f/s, ETA %dm%02ds\033[K", p->prog, p->done,
		        p->total, p->unit, rate, (int)eta / 60, (int)eta % 60);
	} else {
		fprintf(stderr, "\r%s: %lu %s, %.1f/s\033[K", p->prog, p->done, p->unit, rate);
	}
	fflush(stderr);
	p->drawn = 1;
	p->last = now;
}

void sc_progress_update(struct sc_progress *p, unsigned long done)
{
	double now;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->done = done;
	now = sc_now();
	if (now - p->last >= 0.25 || (p->total && done == p->total))
		draw(p, now);
	pthread_mutex_unlock(&p->mu);
}

void sc_progress_free(struct sc_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&active_mu);
	if (active == p)
		active = NULL;
	pthread_mutex_unlock(&active_mu);
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pthread_mutex_destroy(&p->mu);
	free(p);
}

void sc_progress_suspend(void)
{
	pthread_mutex_lock(&active_mu);
	if (active) {
		pthread_mutex_lock(&active->mu);
		if (active->drawn) {
			fputs("\r\033[K", stderr);
			fflush(stderr);
		}
	}
}

void sc_progress_resume(void)
{
	if (active) {
		if (active->drawn)
			draw(active, sc_now());
		pthread_mutex_unlock(&active->mu);
	}
	pthread_mutex_unlock(&active_mu);
}
