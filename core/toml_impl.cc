// SPDX-License-Identifier: Apache-2.0
// The one translation unit that compiles toml++ (TOML_HEADER_ONLY=0 elsewhere).
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
