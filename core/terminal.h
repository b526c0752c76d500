// SPDX-License-Identifier: Apache-2.0
// What the terminal on standard output is like: its width and whether to
// colour. The only place the shells ask; the renderers take the answers.
#pragma once

namespace irqfleet {

// TIOCGWINSZ on `fd`, else $COLUMNS, else 80.
int terminal_width(int fd);

// TIOCGWINSZ on `fd`, else $LINES, else 0 (unknown).
int terminal_height(int fd);

// `fd` is a terminal, $TERM is not "dumb" and $NO_COLOR is unset.
bool terminal_color(int fd);

}  // namespace irqfleet
