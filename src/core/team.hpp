// Whether a parallel region here would run on more than one thread. libgomp ends every region with a futex
// system call, even a team of one thread (and `if (false)`), and on the VMs we measure on a system call costs
// its caller 13-32 us of refetched caches (docs/performance.md, "Threads"), so code that would open a region
// per step asks first and, on one thread, runs its loop directly.
#pragma once
#include <omp.h>

namespace plasticore {

inline bool team_of_several() { return !omp_in_parallel() && omp_get_max_threads() > 1; }

}  // namespace plasticore
