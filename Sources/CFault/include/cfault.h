#ifndef GALEN_CFAULT_H
#define GALEN_CFAULT_H

/// Installs handlers for memory faults (SIGSEGV, SIGBUS) and the runtime's traps (SIGILL,
/// SIGTRAP, SIGABRT, SIGFPE) that remove the partial files first. A memory fault while HDF5 files
/// are open for reading then ends the process with one line naming them and exit status 70;
/// anything else goes on to the handler that was installed before (the Swift runtime's backtrace).
void galen_fault_install(void);

/// Replaces the list of partial files removed on a fault (copied; `count` paths).
void galen_fault_set_partial_files(const char *const *paths, int count);

/// Replaces the list of open files a memory-fault message names (copied; `count` paths).
void galen_fault_set_open_files(const char *const *paths, int count);

#endif
