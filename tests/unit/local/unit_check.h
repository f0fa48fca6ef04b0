/*
 * unit_check.h - the smallest test runner: CHECK macros and RUN().
 * A failed CHECK prints file:line and the expression and the test goes on;
 * unit_check_exit() makes the program exit non-zero if any CHECK failed.
 */
#ifndef SEKISHO_UNIT_CHECK_H
#define SEKISHO_UNIT_CHECK_H

#include <stdio.h>
#include <string.h>

static int unit_failures;
static int unit_tests_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		unit_failures++; \
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", \
			__FILE__, __LINE__, __func__, #cond); \
	} \
} while (0)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ != w_) { \
		unit_failures++; \
		fprintf(stderr, "%s:%d: %s: %s is %lld, want %lld\n", \
			__FILE__, __LINE__, __func__, #got, g_, w_); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (strcmp(g_, w_) != 0) { \
		unit_failures++; \
		fprintf(stderr, "%s:%d: %s: %s is\n  \"%s\"\nwant\n  \"%s\"\n", \
			__FILE__, __LINE__, __func__, #got, g_, w_); \
	} \
} while (0)

/* Compare got_len octets at got with the octets listed after it. */
#define CHECK_BYTES(got, got_len, ...) do { \
	static const unsigned char w_[] = { __VA_ARGS__ }; \
	size_t gl_ = (size_t)(got_len); \
	if (gl_ != sizeof(w_) || memcmp((got), w_, sizeof(w_)) != 0) { \
		unit_failures++; \
		fprintf(stderr, "%s:%d: %s: %s (%zu octets) differs from %zu expected:", \
			__FILE__, __LINE__, __func__, #got, gl_, sizeof(w_)); \
		for (size_t i_ = 0; i_ < gl_; i_++) \
			fprintf(stderr, " %02x", ((const unsigned char *)(got))[i_]); \
		fprintf(stderr, "\n"); \
	} \
} while (0)

/* Compare a wire name with a string literal: its implicit NUL is the root
 * label, so CHECK_NAME(buf, len, "\3www\3lab") checks 9 octets. */
#define CHECK_NAME(got, got_len, lit) do { \
	size_t gl_ = (size_t)(got_len); \
	if (gl_ != sizeof(lit) || memcmp((got), (lit), sizeof(lit)) != 0) { \
		unit_failures++; \
		fprintf(stderr, "%s:%d: %s: name %s differs (%zu octets)\n", \
			__FILE__, __LINE__, __func__, #got, gl_); \
	} \
} while (0)

#define RUN(test) do { \
	int before_ = unit_failures; \
	test(); \
	if (unit_failures != before_) \
		unit_tests_failed++; \
	printf("%s %s\n", unit_failures == before_ ? "ok  " : "FAIL", #test); \
} while (0)

static inline int unit_check_exit(void)
{
	if (unit_tests_failed)
		printf("%d test(s) failed\n", unit_tests_failed);
	return unit_tests_failed ? 1 : 0;
}

#endif /* SEKISHO_UNIT_CHECK_H */
