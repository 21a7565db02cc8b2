/* cancel.c - SIGINT, SIGTERM and SIGHUP stop a copy. The handler only sets
 * the flag every library call is given; the call then returns -ECANCELED
 * with nothing partial left, and the command says what was done and exits
 * 128 + the signal's number, as a shell reports a process it killed. The
 * one global of the command: a signal handler has nowhere else to write. */
#include "cli.h"

#include <signal.h>
#include <string.h>

_Static_assert(sizeof(sig_atomic_t) == sizeof(int),
	       "the library reads the flag as an int");

static volatile sig_atomic_t stop_flag, stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
	stop_flag = 1;
}

void cancel_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	/* A second signal of the same kind while winding down kills as if
	 * none were caught. No SA_RESTART: the library retries EINTR. */
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		/* Ignored when we started (nohup, a background job without job
		 * control): stays ignored, as the caller meant. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

const volatile int *cancel_flag(void)
{
	return &stop_flag;
}

int cancel_signal(void)
{
	return stop_flag ? (int)stop_signal : 0;
}
