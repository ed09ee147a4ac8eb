// Whether a parallel region opened here would run on more than one thread of the top-level team. Inside any
// region, even an inactive one, a new region would start a team of fresh threads every time, so only level 0
// counts. libgomp ends every region with a futex system call, even a team of one thread (and `if (false)`),
// and on the VMs we measure on a system call costs its caller 13-32 us of refetched caches (docs/performance.md,
// "Threads"): code that would open a region per step asks first and, on one thread, runs its loop directly.
#pragma once
#include <omp.h>

namespace plasticore {

inline bool team_of_several() { return omp_get_level() == 0 && omp_get_max_threads() > 1; }

}  // namespace plasticore
