// SPDX-License-Identifier: Apache-2.0
// bench_parse_interrupts: how much parsing a huge /proc/interrupts costs over
// just reading its bytes. Generates a 4096-CPU x 10,000-IRQ file in the kernel's
// format, then times (a) reading it into memory (cat-equivalent) and (b) the
// same read followed by parse_interrupts(), each the best of several runs.
// Goal: (b)/(a) <= 3. Usage: bench_parse_interrupts [CPUS [IRQS [RUNS]]]
// (IRQFLEET_BENCH_KEEP=1 keeps the generated file and prints its path).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "core/fs_root.h"
#include "core/interrupts.h"

using namespace irqfleet;

namespace {

using Clock = std::chrono::steady_clock;

// "%10u " without printf: the generator writes ~450 MB.
void put_count(std::string& out, uint64_t v) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  if (n < 10) out.append(static_cast<size_t>(10 - n), ' ');
  while (n) out += digits[--n];
  out += ' ';
}

// A Xen dom0 with `cpus` vCPUs: per-CPU virq/ipi lines, physical NICs and NVMe
// through xen-pirq/PCI-MSI, and mostly netback vif queues (xen-dyn, xen-dyn-lateeoi).
std::string generate(int cpus, int irqs) {
  std::mt19937_64 rng(42);
  std::string out;
  out.reserve(static_cast<size_t>(irqs + 16) * (static_cast<size_t>(cpus) * 11 + 64) + 4096);
  out.append(12, ' ');
  for (int c = 0; c < cpus; ++c) {
    std::string label = "CPU" + std::to_string(c);
    out += label;
    out.append(label.size() < 11 ? 11 - label.size() : 1, ' ');
  }
  out += '\n';
  char tail[128];
  for (int i = 0; i < irqs; ++i) {
    const int irq = i < 64 ? i : 64 + i * 2;  // gaps, as freed IRQs leave
    std::snprintf(tail, sizeof tail, "%5d: ", irq);
    out += tail;
    // Most IRQs fire on one CPU; some are spread; percpu ones only on their CPU.
    const int home = static_cast<int>(rng() % static_cast<uint64_t>(cpus));
    const bool spread = rng() % 8 == 0;
    for (int c = 0; c < cpus; ++c) {
      uint64_t v = 0;
      if (c == home) v = rng() % 100000000;
      else if (spread && rng() % 4 == 0) v = rng() % 100000;
      put_count(out, v);
    }
    const int kind = i < 64 ? 0 : static_cast<int>(rng() % 10);
    const int dom = 1 + i % 200, q = i % 8;
    switch (kind) {
      case 0: std::snprintf(tail, sizeof tail, " xen-percpu    -virq     timer%d", home); break;
      case 1: std::snprintf(tail, sizeof tail, "   xen-pirq    -msi-x     eno1-TxRx-%d", q); break;
      case 2: std::snprintf(tail, sizeof tail, "    PCI-MSI %d-edge      nvme0q%d", 524288 + q, q); break;
      case 3: std::snprintf(tail, sizeof tail, "    xen-dyn    -event     blkif-backend"); break;
      case 4: std::snprintf(tail, sizeof tail, "   xen-pirq    -ioapic-level  ehci_hcd:usb1, ehci_hcd:usb2"); break;
      case 5:
      case 6: std::snprintf(tail, sizeof tail, " xen-dyn-lateeoi    -event     vif%d.0-q%d-%s", dom, q, i % 2 ? "rx" : "tx"); break;
      default: std::snprintf(tail, sizeof tail, "    xen-dyn    -event     vif%d.0-q%d-%s", dom, q, i % 2 ? "rx" : "tx"); break;
    }
    out += tail;
    out += '\n';
  }
  const char* rows[][2] = {{"NMI", "Non-maskable interrupts"}, {"LOC", "Local timer interrupts"},
                           {"RES", "Rescheduling interrupts"}, {"CAL", "Function call interrupts"}};
  for (const auto& row : rows) {
    std::snprintf(tail, sizeof tail, "%5s: ", row[0]);
    out += tail;
    for (int c = 0; c < cpus; ++c) put_count(out, rng() % 1000000);
    out += "  ";
    out += row[1];
    out += '\n';
  }
  out += "  ERR:          0\n  MIS:          0\n";
  return out;
}

struct Buffer {
  std::unique_ptr<char[]> data;
  size_t size = 0;
  std::string_view view() const { return {data.get(), size}; }
};

// The whole file into fresh memory with read(2), as cat would read it.
Buffer read_bytes(const std::string& path) {
  Buffer b;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) { std::perror(path.c_str()); std::exit(1); }
  struct stat st;
  ::fstat(fd, &st);
  b.data.reset(new char[static_cast<size_t>(st.st_size)]);
  while (b.size < static_cast<size_t>(st.st_size)) {
    ssize_t n = ::read(fd, b.data.get() + b.size, static_cast<size_t>(st.st_size) - b.size);
    if (n <= 0) break;
    b.size += static_cast<size_t>(n);
  }
  ::close(fd);
  return b;
}

template <typename F>
double best_of(int runs, F&& f) {
  double best = 1e100;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int cpus = argc > 1 ? std::atoi(argv[1]) : 4096;
  const int irqs = argc > 2 ? std::atoi(argv[2]) : 10000;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 5;

  char dir[] = "/tmp/irqfleet-bench-XXXXXX";
  if (!::mkdtemp(dir)) { std::perror("mkdtemp"); return 1; }
  const std::string root = dir;
  const std::string path = root + "/proc/interrupts";
  ::mkdir((root + "/proc").c_str(), 0755);
  {
    const std::string text = generate(cpus, irqs);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size()) { std::perror(path.c_str()); return 1; }
    std::fclose(f);
  }

  size_t bytes = 0, parsed_irqs = 0;
  const double read_s = best_of(runs, [&] { bytes = read_bytes(path).size; });
  const double parse_s = best_of(runs, [&] {
    Buffer b = read_bytes(path);
    auto table = parse_interrupts(b.view());
    if (!table.ok()) { std::fprintf(stderr, "%s\n", table.error().to_string().c_str()); std::exit(1); }
    parsed_irqs = table->irqs.size();
  });
  // For context: a cat-style pass through a small buffer (no memory to fault in),
  // and parsing alone from bytes already in memory.
  const double cat_s = best_of(runs, [&] {
    static char chunk[1 << 17];
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    while (::read(fd, chunk, sizeof chunk) > 0) {
    }
    ::close(fd);
  });
  const Buffer held = read_bytes(path);
  const double parse_only_s = best_of(runs, [&] {
    auto table = parse_interrupts(held.view());
    if (!table.ok()) std::exit(1);
  });
  // The agent's own path (DirFsRoot::read appends 64 KiB chunks), for information.
  DirFsRoot fs(root);
  const double agent_s = best_of(runs, [&] {
    auto table = read_interrupts(fs);
    if (!table.ok()) std::exit(1);
  });

  std::printf("parse_interrupts: ratio %.2f vs read-bytes baseline\n", parse_s / read_s);
  std::printf("  file: %d CPUs x %d IRQs, %.1f MB, %zu IRQs parsed\n", cpus, irqs, bytes / 1e6, parsed_irqs);
  std::printf("  read bytes:               %8.1f ms (%.2f GB/s), best of %d\n", read_s * 1e3, bytes / read_s / 1e9, runs);
  std::printf("  read + parse_interrupts:  %8.1f ms (%.2f GB/s)\n", parse_s * 1e3, bytes / parse_s / 1e9);
  std::printf("  parse_interrupts alone:   %8.1f ms (%.2f GB/s; counts take %.0f MB)\n", parse_only_s * 1e3,
              bytes / parse_only_s / 1e9, parsed_irqs * static_cast<double>(cpus) * 8 / 1e6);
  std::printf("  cat through 128 KiB:      %8.1f ms (bytes not kept: no page faults)\n", cat_s * 1e3);
  std::printf("  read_interrupts(DirFsRoot): %6.1f ms (ratio %.2f)\n", agent_s * 1e3, agent_s / read_s);
  std::printf("goal: read + parse <= 3x read bytes (%.2f): %s\n", parse_s / read_s,
              parse_s / read_s <= 3 ? "met" : "not met");

  if (std::getenv("IRQFLEET_BENCH_KEEP")) {
    std::printf("  kept %s\n", path.c_str());
    return 0;
  }
  ::unlink(path.c_str());
  ::rmdir((root + "/proc").c_str());
  ::rmdir(root.c_str());
  return 0;
}
