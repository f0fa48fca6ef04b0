/*
 * fuzz_main.c - replays a corpus through a libFuzzer target without libFuzzer.
 *
 * Used when the build is not configured for fuzzing (gcc, -Dfuzzing=false): each
 * argument is a file or a directory of files, and every file is passed once to
 * LLVMFuzzerTestOneInput(). A target reports a problem by aborting, so reaching
 * the end means every input passed. Exits 1 when an input cannot be read or no
 * input was found (an empty corpus would prove nothing).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (1 << 20)

static uint8_t input[INPUT_MAX];

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	size_t n = fread(input, 1, sizeof(input), f);
	int err = ferror(f);
	fclose(f);
	if (err) {
		fprintf(stderr, "%s: read error\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput(input, n);
	return 1;
}

/* Runs every regular file in @dir; returns how many, or -1 on error. */
static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;
	char path[4096];

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(path) < 0) {
			count = -1;
			break;
		}
		count++;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	int total = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		int n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
		if (n < 0)
			return 1;
		total += n;
	}
	printf("%d inputs passed\n", total);
	return total > 0 ? 0 : 1;
}
