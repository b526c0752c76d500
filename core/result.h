// SPDX-License-Identifier: Apache-2.0
// Expected failures as values: a Result<T> holds either a T or an Error that
// says where things went wrong (file, line, column, host, IRQ).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace irqfleet {

struct Error {
  std::string message;  // what happened and, where useful, what to do
  std::string file;     // file the error is about, empty when none
  int line = 0;         // 1-based, 0 when not about a line
  int column = 0;       // 1-based, 0 when not about a column
  int errno_value = 0;  // the system call's errno when one failed, else 0

  // "file:line:column: message", leaving out the parts that are unknown.
  std::string to_string() const;
};

Error make_error(std::string message, std::string file = {}, int line = 0, int column = 0);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing but may fail.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace irqfleet
