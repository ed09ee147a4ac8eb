#include <cstdio>
#include <cstdlib>

#include "fuzz_target.hpp"

namespace plasticore::fuzz {

void require(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz: property violated: %s\n", what);
  std::abort();
}

}  // namespace plasticore::fuzz
