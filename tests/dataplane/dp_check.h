/*
 * dp_check.h: the check macros of the dataplane tests that count as they go
 * (CHECK, CHECK_EQ with both values printed) and the two counters main() reports.
 * Tests that also build frames use frame_check.h instead.
 */
#ifndef SEKISHO_TESTS_DP_CHECK_H
#define SEKISHO_TESTS_DP_CHECK_H

#include <stdio.h>

static int failures;
static int checks;

#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	checks++; \
	if (a_ != b_) { \
		failures++; \
		fprintf(stderr, "  FAIL %s:%d: %s == %s (%lld != %lld)\n", \
			__FILE__, __LINE__, #a, #b, a_, b_); \
	} \
} while (0)

#endif
