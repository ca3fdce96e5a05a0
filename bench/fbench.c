// SPDX-License-Identifier: GPL-2.0
/*
 * fbench: timed file system workloads for make bench.
 *
 *   fbench PHASE DIR [NDIRS NFILES]
 *
 * prints "PHASE SECONDS" (CLOCK_MONOTONIC around the phase).  Phases, on a
 * tree of NDIRS directories of NFILES 4 KiB files below DIR:
 *   create   mkdir, then open(O_CREAT)+write 4 KiB+close of every file
 *   stat     lstat of every file
 *   walk     recursive opendir/readdir and lstat of every entry (ls -lR)
 *   read     open+read+close of every file
 *   unlink   unlink every file, rmdir every directory
 *   seqwrite 64 MiB in 1 MiB writes to DIR/big, then fsync
 *   seqread  read DIR/big in 1 MiB reads
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

static void file_path(char *p, const char *dir, int d, int f)
{
	if (f < 0)
		sprintf(p, "%s/d%03d", dir, d);
	else
		sprintf(p, "%s/d%03d/f%04d", dir, d, f);
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
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (lstat(p, &st))
			fail("lstat", p);
		n++;
		if (S_ISDIR(st.st_mode))
			n += walk(p);
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

	snprintf(p, sizeof(p), "%s/big", dir);
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

	snprintf(p, sizeof(p), "%s/big", dir);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		fail("open", p);
	while ((n = read(fd, buf, CHUNK)) > 0)
		;
	if (n < 0 || close(fd))
		fail("read", p);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(const char *dir);
	} phases[] = {
		{ "create", do_create }, { "stat", do_stat },
		{ "read", do_read }, { "unlink", do_unlink },
		{ "seqwrite", do_seqwrite }, { "seqread", do_seqread },
	};
	unsigned int i;
	double t;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: fbench PHASE DIR [NDIRS NFILES]\n");
		return 2;
	}
	if (argc == 5) {
		ndirs = atoi(argv[3]);
		nfiles = atoi(argv[4]);
	}
	memset(buf, 'x', sizeof(buf));
	if (!strcmp(argv[1], "walk")) {
		t = now();
		walk(argv[2]);
		printf("walk %.6f\n", now() - t);
		return 0;
	}
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		if (strcmp(argv[1], phases[i].name))
			continue;
		t = now();
		phases[i].fn(argv[2]);
		printf("%s %.6f\n", argv[1], now() - t);
		return 0;
	}
	fprintf(stderr, "fbench: unknown phase %s\n", argv[1]);
	return 2;
}
