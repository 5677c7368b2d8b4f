/*
 * The pod sandbox's pause process: it holds the pod's namespaces open, reaps the zombies of a pod that shares its
 * PID namespace, and exits on SIGTERM or SIGINT when the pod is torn down.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) { _exit(sig == SIGTERM ? 0 : 128 + sig); }

static void on_child(int sig) {
  (void)sig;
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction stop = {.sa_handler = on_stop};
  struct sigaction child = {.sa_handler = on_child, .sa_flags = SA_NOCLDSTOP | SA_RESTART};
  if (sigaction(SIGTERM, &stop, 0) < 0 || sigaction(SIGINT, &stop, 0) < 0 || sigaction(SIGCHLD, &child, 0) < 0) return 1;
  for (;;) pause();
}
