// A damaged HDF5 file can make libhdf5 1.10 dereference a bad pointer. The handler turns that
// into one line and removes the outputs being written; it uses only async-signal-safe calls, and
// reads the lists as snapshots swapped in whole, never locked.
#include "cfault.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Atomic(char **) partial_files;
static _Atomic(char **) open_files;
static struct sigaction previous[NSIG];

// A NULL-terminated copy. The list it replaces is not freed: a handler on another thread may be
// reading it, and the lists are a few short paths, replaced a few times a run.
static void replace(_Atomic(char **) *list, const char *const *paths, int count) {
    char **copy = calloc((size_t)count + 1, sizeof *copy);
    if (copy == NULL) return;
    for (int i = 0; i < count; i++) copy[i] = strdup(paths[i]);
    atomic_store(list, copy);
}

void galen_fault_set_partial_files(const char *const *paths, int count) { replace(&partial_files, paths, count); }
void galen_fault_set_open_files(const char *const *paths, int count) { replace(&open_files, paths, count); }

static void say(const char *text) {
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
    (void)ignored;
}

static void report_memory_fault(int signal_number) {
    say(signal_number == SIGBUS ? "Error: galen stopped on a bus error" : "Error: galen stopped on a memory fault");
    char **files = atomic_load(&open_files);
    if (files != NULL && files[0] != NULL) {
        say(" with these HDF5 files open: ");
        for (char **file = files; *file != NULL; file++) {
            say(*file);
            if (file[1] != NULL) say(", ");
        }
        say("; one of them is most likely damaged (libhdf5 1.10 faults on some damaged files; h5dump or h5py can check them)");
    }
    say(". No output was written.\n");
}

static void on_fault(int signal_number, siginfo_t *info, void *context) {
    (void)info;
    (void)context;
    char **paths = atomic_load(&partial_files);
    for (char **path = paths; path != NULL && *path != NULL; path++) unlink(*path);
    if (signal_number == SIGSEGV || signal_number == SIGBUS) {
        report_memory_fault(signal_number);
        _exit(70);
    }
    // A trap: the handler from before takes it. A faulting instruction runs again on return and
    // reaches it; a raised signal (abort) is raised again, delivered once this handler returns.
    sigaction(signal_number, &previous[signal_number], NULL);
    if (signal_number == SIGABRT || signal_number == SIGTRAP) raise(signal_number);
}

void galen_fault_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaction(signals[i], &action, &previous[signals[i]]);
}
