/*
 * Process timer of bench/inspect/run.py: forks and execs the measured
 * command, waits for it with wait4 and writes wall seconds, CPU seconds
 * (user+sys) and max RSS (KiB) of that child to RESULT as one JSON line.
 *
 * Why not time the child from Python directly: Linux carries a process's
 * peak RSS across exec, so a child forked (or vforked) from the 40-50 MiB
 * Python interpreter reports at least that much. Forked from this small
 * program, the figure is the command's own.
 *
 *   runner RESULT COMMAND [ARG...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status = 0;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: runner RESULT COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
		perror("runner");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out = fopen(argv[1], "w");
	if (out == NULL) {
		perror(argv[1]);
		return 2;
	}
	fprintf(out, "{\"wall\": %.6f, \"cpu\": %.6f, \"rss_kib\": %ld, \"rc\": %d}\n",
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
			(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
		ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	fclose(out);
	return 0;
}
