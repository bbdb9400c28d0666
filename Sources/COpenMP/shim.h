// The few OpenMP runtime entry points Edgeflow uses (libgomp, the runtime oneDNN is built
// with), declared here because omp.h is not on Swift's include path. Sharing libgomp's thread
// pool between oneDNN and our own kernels keeps one set of worker threads per process.
#ifndef EDGEFLOW_COPENMP_SHIM_H
#define EDGEFLOW_COPENMP_SHIM_H
int omp_get_max_threads(void);
void omp_set_num_threads(int count);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_in_parallel(void);
/// libgomp's parallel-region entry (what `#pragma omp parallel` compiles to): runs fn(data) on
/// `num_threads` threads (0 = the current default) and returns when all have finished.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
#endif
