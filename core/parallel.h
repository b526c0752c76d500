// SPDX-License-Identifier: Apache-2.0
// Independent pieces of work on a few threads: the controller's plan groups.
#pragma once

#include <cstddef>
#include <functional>

namespace irqfleet {

// Calls body(i) once for each i in [0, count), on up to `threads` threads
// (0: one per CPU), the calling thread among them; each takes the next i as
// it is free. Returns when every call has. body must not throw; where no
// thread can be had (RLIMIT_NPROC, pids.max) the calling thread does the rest.
void parallel_for(size_t count, unsigned threads, const std::function<void(size_t)>& body);

}  // namespace irqfleet
