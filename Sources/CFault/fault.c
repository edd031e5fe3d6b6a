// A damaged HDF5 file can make libhdf5 1.10 dereference a bad pointer. The handler turns that
// into one line and removes the outputs being written; it uses only async-signal-safe calls, and
// reads the lists as snapshots swapped in whole, never locked.
#include "cfault.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct list {
    _Atomic(char **) current;
    // The list replaced last, freed only at the next replacement: a handler that began reading it
    // just before it was replaced has that long to finish (it ends the process in microseconds).
    char **retired;
};

static struct list partial_files, open_files;
static struct sigaction previous[NSIG];

static void free_list(char **paths) {
    for (char **path = paths; path != NULL && *path != NULL; path++) free(*path);
    free(paths);
}

// The callers (Swift, under a lock) replace one list at a time.
static void replace(struct list *list, const char *const *paths, int count) {
    char **copy = calloc((size_t)count + 1, sizeof *copy);
    if (copy == NULL) return;
    for (int i = 0; i < count; i++) copy[i] = strdup(paths[i]);
    free_list(list->retired);
    list->retired = atomic_exchange(&list->current, copy);
}

void galen_fault_set_partial_files(const char *const *paths, int count) { replace(&partial_files, paths, count); }
void galen_fault_set_open_files(const char *const *paths, int count) { replace(&open_files, paths, count); }

static void say(const char *text) {
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
    (void)ignored;
}

static void report_memory_fault(int signal_number, char **files) {
    say(signal_number == SIGBUS ? "Error: galen stopped on a bus error" : "Error: galen stopped on a memory fault");
    say(" with these HDF5 files open: ");
    for (char **file = files; *file != NULL; file++) {
        say(*file);
        if (file[1] != NULL) say(", ");
    }
    say("; one of them is most likely damaged (libhdf5 1.10 faults on some damaged files; h5dump or h5py can check them)."
        " No output was written.\n");
}

static void on_fault(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    char **paths = atomic_load(&partial_files.current);
    for (char **path = paths; path != NULL && *path != NULL; path++) unlink(*path);
    char **files = atomic_load(&open_files.current);
    if ((signal_number == SIGSEGV || signal_number == SIGBUS) && files != NULL && files[0] != NULL) {
        report_memory_fault(signal_number, files);
        _exit(70);
    }
    // Anything else (a trap, a fault with no HDF5 file open) goes to the handler from before: the
    // Swift runtime's backtrace. A faulting instruction runs again on return and reaches it; a
    // signal that was sent or raised (abort, kill) is raised again, delivered once this returns.
    sigaction(signal_number, &previous[signal_number], NULL);
    if (signal_number == SIGABRT || signal_number == SIGTRAP || info->si_code <= 0) raise(signal_number);
}

void galen_fault_install(void) {
    // An alternate stack, unless the runtime set one, so that a stack overflow still reaches a handler.
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && (current.ss_flags & SS_DISABLE)) {
        stack_t alternate = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0};
        if (alternate.ss_sp != NULL) sigaltstack(&alternate, NULL);
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaction(signals[i], &action, &previous[signals[i]]);
}
