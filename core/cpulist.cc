#include "core/cpulist.h"

#include <algorithm>
#include <cctype>

namespace irqfleet {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}
}  // namespace

Result<CpuList> parse_cpulist(std::string_view text) {
  const std::string_view body = trim(text);
  const int offset = static_cast<int>(body.data() - text.data());
  CpuList cpus;
  size_t i = 0;
  auto number = [&](long& out) -> bool {
    size_t start = i;
    long v = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) {
      v = v * 10 + (body[i] - '0');
      if (v > 1 << 20) return false;
      ++i;
    }
    out = v;
    return i > start;
  };
  auto fail = [&](const std::string& what) {
    return make_error("invalid cpulist \"" + std::string(body) + "\": " + what, {}, 1,
                      offset + static_cast<int>(i) + 1);
  };
  while (i < body.size()) {
    long first = 0, last = 0;
    if (!number(first)) return fail("expected a CPU number");
    last = first;
    if (i < body.size() && body[i] == '-') {
      ++i;
      if (!number(last)) return fail("expected the end of a range");
      if (last < first) return fail("range ends before it starts");
    }
    for (long c = first; c <= last; ++c) cpus.push_back(static_cast<int>(c));
    if (i < body.size()) {
      if (body[i] != ',') return fail("expected ',' or '-'");
      ++i;
      if (i == body.size()) return fail("trailing ','");
    }
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpulist(const CpuList& cpus) {
  std::string out;
  size_t i = 0;
  while (i < cpus.size()) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

Result<CpuList> parse_cpumask_hex(std::string_view text) {
  const std::string_view body = trim(text);
  CpuList cpus;
  int bit = 0;
  for (size_t k = body.size(); k-- > 0;) {
    char c = body[k];
    if (c == ',') continue;
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else return make_error("invalid CPU mask \"" + std::string(body) + "\"", {}, 1, static_cast<int>(k) + 1);
    for (int b = 0; b < 4; ++b)
      if (v & (1 << b)) cpus.push_back(bit + b);
    bit += 4;
  }
  std::sort(cpus.begin(), cpus.end());
  return cpus;
}

}  // namespace irqfleet
