/*
 * jarena.c - jansson's values in a per-thread bump region (see jarena.h).
 * Moved here from lib/filter.c, whose parse loop it served first, so that
 * sc-join's consignments use the same one.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "jarena.h"
#include "workq.h"

/*
 * While a thread has its arena on, jansson allocates from it: a bump pointer
 * in a region of its own, set back to the start whenever none of its blocks
 * is alive (after each record or consignment, as its values are freed before
 * the next is made). Every other allocation, and every block the arena
 * cannot hold, is malloc's; free tells the two apart by address, so values
 * allocated before the arena was installed, kept across records or freed by
 * another thread are all safe.
 * Off under AddressSanitizer, so that it keeps checking jansson's values.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_OFF 1
#endif
#endif
#ifndef ARENA_OFF
#define ARENA_OFF 0
#endif
#define ARENA_BYTES (8u << 20)   /* reserved, not touched: a record uses a few kB */
#define ARENA_MAX (SC_WORKQ_MAX_JOBS + 8)

struct arena {
	char *base;
	size_t used;
	unsigned long allocs, frees;   /* by the owner */
	unsigned long foreign;         /* frees by other threads (atomic) */
	int owned;
};

static struct arena g_arenas[ARENA_MAX];
static int g_narenas;              /* registered regions (atomic; they are never unmapped) */
static pthread_mutex_t g_arena_mu = PTHREAD_MUTEX_INITIALIZER;
static __thread struct arena *t_arena;   /* this thread's, once it claimed one */
static __thread int t_on;                /* allocate from it now */

static void *arena_malloc(size_t n)
{
	struct arena *a = t_arena;

	if (a && t_on) {
		size_t need = n ? (n + 15) & ~(size_t)15 : 16;
		if (a->allocs == a->frees + __atomic_load_n(&a->foreign, __ATOMIC_ACQUIRE))
			a->used = 0;   /* nothing of it alive: start over */
		if (need <= ARENA_BYTES - a->used) {
			void *p = a->base + a->used;
			a->used += need;
			a->allocs++;
			return p;
		}
	}
	return malloc(n);
}

static void arena_free(void *p)
{
	int n = __atomic_load_n(&g_narenas, __ATOMIC_ACQUIRE);

	for (int i = 0; i < n; i++) {
		struct arena *a = &g_arenas[i];
		if ((char *)p >= a->base && (char *)p < a->base + ARENA_BYTES) {
			if (a == t_arena)
				a->frees++;
			else
				__atomic_add_fetch(&a->foreign, 1, __ATOMIC_RELEASE);
			return;
		}
	}
	free(p);
}

/* SC_FILTER_ARENA=0 leaves jansson on malloc (for valgrind, and to measure the arena) */
static int getenv_off(void)
{
	const char *e = getenv("SC_FILTER_ARENA");
	return e && strcmp(e, "0") == 0;
}

static void install_funcs(void)
{
	if (getenv_off())
		return;
	json_set_alloc_funcs(arena_malloc, arena_free);
}

/* Give this thread an arena (a free one, or a new region); 0, or -1 (then malloc it is). */
int sc_jarena_claim(void)
{
	struct arena *a = NULL;

	if (ARENA_OFF || t_arena || getenv_off())
		return t_arena ? 0 : -1;
	pthread_mutex_lock(&g_arena_mu);
	for (int i = 0; i < g_narenas && !a; i++)
		if (!g_arenas[i].owned)
			a = &g_arenas[i];
	if (!a && g_narenas < ARENA_MAX) {
		void *base = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE,
		                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (base != MAP_FAILED) {
			a = &g_arenas[g_narenas];
			memset(a, 0, sizeof *a);
			a->base = base;
			__atomic_store_n(&g_narenas, g_narenas + 1, __ATOMIC_RELEASE);
		}
	}
	if (a) {
		a->owned = 1;
		t_arena = a;
	}
	pthread_mutex_unlock(&g_arena_mu);
	return a ? 0 : -1;
}

/* Once and for good: a block of the arena must never reach free(). */
void sc_jarena_install(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (!ARENA_OFF)
		pthread_once(&once, install_funcs);
}

void sc_jarena_on(int on)
{
	t_on = on;
}

void sc_jarena_release(void)
{
	struct arena *a = t_arena;
	if (!a)
		return;
	pthread_mutex_lock(&g_arena_mu);
	/* the owner's counts become foreign ones: its later frees count there too */
	__atomic_add_fetch(&a->foreign, a->frees, __ATOMIC_RELEASE);
	a->frees = 0;
	a->owned = 0;
	t_arena = NULL;
	pthread_mutex_unlock(&g_arena_mu);
}
