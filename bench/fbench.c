// SPDX-License-Identifier: GPL-2.0
/*
 * fbench: timed file system workloads for make bench.
 *
 *   fbench [-t MIN_SECONDS] PHASE DIR [NDIRS NFILES]
 *
 * repeats PHASE until the timed part has taken at least MIN_SECONDS
 * (default 0: once) and prints "PHASE SECONDS_PER_REPETITION REPETITIONS"
 * (CLOCK_MONOTONIC around the timed part only).  Phases, on a tree of
 * NDIRS directories of NFILES 4 KiB files below DIR:
 *   create   mkdir, then open(O_CREAT)+write 4 KiB+close of every file;
 *            between repetitions the tree is removed (untimed), the last
 *            one leaves it in place
 *   stat     lstat of every file
 *   walk     recursive opendir/readdir and lstat of every entry (ls -lR)
 *   readdir  recursive opendir/readdir only (names, no lstat)
 *   read     open+read+close of every file
 *   unlink   unlink every file, rmdir every directory; between
 *            repetitions the tree is made again (untimed), the last one
 *            leaves DIR empty
 *   seqwrite 64 MiB in 1 MiB writes to DIR/big, then fsync
 *   seqread  read DIR/big in 1 MiB reads
 *
 * fbench works in DIR (chdir) with relative names, as a build or a
 * program in its own tree does: an absolute name would start every walk
 * at the root, and the guest's root is 9p, whose ->d_revalidate() refuses
 * RCU walk, so every lookup would be a ref-walk lookup, in every
 * configuration.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#define BIG_SIZE	(64 << 20)
#define CHUNK		(1 << 20)

static int ndirs = 20, nfiles = 100;
static char buf[CHUNK];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what, const char *path)
{
	perror(path);
	fprintf(stderr, "fbench: %s failed\n", what);
	exit(1);
}

/* @dir/@name, or @name alone in the working directory (".") */
static void join(char *p, size_t size, const char *dir, const char *name)
{
	if (strcmp(dir, "."))
		snprintf(p, size, "%s/%s", dir, name);
	else
		snprintf(p, size, "%s", name);
}

static void file_path(char *p, const char *dir, int d, int f)
{
	char name[64];

	if (f < 0)
		sprintf(name, "d%03d", d);
	else
		sprintf(name, "d%03d/f%04d", d, f);
	join(p, 4096, dir, name);
}

static void do_create(const char *dir)
{
	char p[4096];
	int d, f, fd;

	for (d = 0; d < ndirs; d++) {
		file_path(p, dir, d, -1);
		if (mkdir(p, 0755))
			fail("mkdir", p);
		for (f = 0; f < nfiles; f++) {
			file_path(p, dir, d, f);
			fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || write(fd, buf, 4096) != 4096 || close(fd))
				fail("create", p);
		}
	}
}

static void do_stat(const char *dir)
{
	struct stat st;
	char p[4096];
	int d, f;

	for (d = 0; d < ndirs; d++)
		for (f = 0; f < nfiles; f++) {
			file_path(p, dir, d, f);
			if (lstat(p, &st))
				fail("stat", p);
		}
}

static int walk_lstat = 1;

static long walk(const char *dir)
{
	struct dirent *de;
	struct stat st;
	char p[4096];
	long n = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		fail("opendir", dir);
	while ((de = readdir(dp))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		join(p, sizeof(p), dir, de->d_name);
		n++;
		if (walk_lstat) {
			if (lstat(p, &st))
				fail("lstat", p);
			if (S_ISDIR(st.st_mode))
				n += walk(p);
		} else if (de->d_type == DT_DIR) {
			n += walk(p);
		} else if (de->d_type == DT_UNKNOWN) {
			if (lstat(p, &st))
				fail("lstat", p);
			if (S_ISDIR(st.st_mode))
				n += walk(p);
		}
	}
	closedir(dp);
	return n;
}

static void do_read(const char *dir)
{
	char p[4096];
	int d, f, fd;

	for (d = 0; d < ndirs; d++)
		for (f = 0; f < nfiles; f++) {
			file_path(p, dir, d, f);
			fd = open(p, O_RDONLY);
			if (fd < 0 || read(fd, buf, 4096) != 4096 || close(fd))
				fail("read", p);
		}
}

static void do_unlink(const char *dir)
{
	char p[4096];
	int d, f;

	for (d = 0; d < ndirs; d++) {
		for (f = 0; f < nfiles; f++) {
			file_path(p, dir, d, f);
			if (unlink(p))
				fail("unlink", p);
		}
		file_path(p, dir, d, -1);
		if (rmdir(p))
			fail("rmdir", p);
	}
}

static void do_seqwrite(const char *dir)
{
	char p[4096];
	long done;
	int fd;

	join(p, sizeof(p), dir, "big");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail("open", p);
	for (done = 0; done < BIG_SIZE; done += CHUNK)
		if (write(fd, buf, CHUNK) != CHUNK)
			fail("write", p);
	if (fsync(fd) || close(fd))
		fail("fsync", p);
}

static void do_seqread(const char *dir)
{
	char p[4096];
	ssize_t n;
	int fd;

	join(p, sizeof(p), dir, "big");
	fd = open(p, O_RDONLY);
	if (fd < 0)
		fail("open", p);
	while ((n = read(fd, buf, CHUNK)) > 0)
		;
	if (n < 0 || close(fd))
		fail("read", p);
}

static void do_walk(const char *dir)
{
	walk_lstat = 1;
	walk(dir);
}

static void do_readdir(const char *dir)
{
	walk_lstat = 0;
	walk(dir);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(const char *dir);
		/* untimed, between two repetitions */
		void (*reset)(const char *dir);
	} phases[] = {
		{ "create", do_create, do_unlink }, { "stat", do_stat },
		{ "walk", do_walk }, { "readdir", do_readdir },
		{ "read", do_read }, { "unlink", do_unlink, do_create },
		{ "seqwrite", do_seqwrite }, { "seqread", do_seqread },
	};
	double t, total = 0, min_time = 0;
	unsigned int i;
	long reps = 0;
	int opt;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't')
			goto usage;
		min_time = atof(optarg);
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 3 && argc != 5)
		goto usage;
	if (argc == 5) {
		ndirs = atoi(argv[3]);
		nfiles = atoi(argv[4]);
	}
	memset(buf, 'x', sizeof(buf));
	if (chdir(argv[2]))
		fail("chdir", argv[2]);
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		if (strcmp(argv[1], phases[i].name))
			continue;
		for (;;) {
			t = now();
			phases[i].fn(".");
			total += now() - t;
			reps++;
			if (total >= min_time)
				break;
			if (phases[i].reset)
				phases[i].reset(".");
		}
		printf("%s %.9f %ld\n", argv[1], total / reps, reps);
		return 0;
	}
	fprintf(stderr, "fbench: unknown phase %s\n", argv[1]);
	return 2;
usage:
	fprintf(stderr, "usage: fbench [-t MIN_SECONDS] PHASE DIR [NDIRS NFILES]\n");
	return 2;
}
