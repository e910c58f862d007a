/*
 * tap.h
 *		The bits of TAP the C unit tests share: ok(), diag(), and a counting
 *		allocator with the parsers' realloc signature (live_blocks tells
 *		whether everything grown was freed).  Included by one test program
 *		each, so the definitions live here.
 */
#ifndef STREAMSTAT_TEST_TAP_H
#define STREAMSTAT_TEST_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__GNUC__)
#define TAP_UNUSED __attribute__((unused))
#else
#define TAP_UNUSED
#endif

static int	ntests = 0;
static int	nfailed = 0;

/* One TAP test line. */
static TAP_UNUSED void
ok(int cond, const char *fmt,...)
{
	va_list		ap;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* A TAP diagnostic line. */
static TAP_UNUSED void
diag(const char *fmt,...)
{
	va_list		ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Test allocator: realloc/free, counting live blocks. */
static int	live_blocks = 0;
static TAP_UNUSED void *
test_realloc(void *ptr, size_t size, void *arg)
{
	(void) arg;
	if (size == 0)
	{
		if (ptr)
			live_blocks--;
		free(ptr);
		return NULL;
	}
	if (ptr == NULL)
		live_blocks++;
	ptr = realloc(ptr, size);
	if (ptr == NULL)
		abort();
	return ptr;
}

#endif							/* STREAMSTAT_TEST_TAP_H */
