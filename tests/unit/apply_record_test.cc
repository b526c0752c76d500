// SPDX-License-Identifier: Apache-2.0
#include "core/apply_record.h"

#include <catch2/catch.hpp>
#include <cstdlib>

namespace irqfleet {

namespace {

ApplyResult result_of(std::initializer_list<Outcome> outcomes) {
  ApplyResult r;
  r.kind = ApplyKind::kApply;
  r.hostname = "dom0-07";
  for (Outcome o : outcomes) {
    IrqOutcome x;
    x.outcome = o;
    r.irqs.push_back(x);
  }
  return r;
}

}  // namespace

TEST_CASE("apply_record - write then read gives the same record", "[apply_record]") {
  Plan plan;
  plan.policy_hash = "pol1-0123";
  plan.entries.push_back({"vif/web01/0/q0/tx", 241, IrqClass::kXenVif, {3}, 10});
  const ApplyRecord r = make_apply_record(result_of({Outcome::kApplied, Outcome::kApplied, Outcome::kRefused}), &plan,
                                          plan.policy_hash, "alice", 1796223600);
  CHECK(r.time == "2026-12-02T15:00:00Z");
  CHECK(r.exit == 2);
  CHECK(r.plan_hash == plan_hash(plan));
  CHECK(r.plan_hash.rfind("plan1-", 0) == 0);
  CHECK(r.counts.at("applied") == 2);
  auto back = parse_apply_record(apply_record_to_toml(r), "last-apply.toml");
  REQUIRE(back.ok());
  CHECK(apply_record_to_toml(*back) == apply_record_to_toml(r));
  CHECK(back->user == "alice");
  CHECK(back->unix_time == 1796223600);
}

TEST_CASE("apply_record - the plan hash changes with the plan", "[apply_record]") {
  Plan a;
  a.entries.push_back({"vif/web01/0/q0/tx", 241, IrqClass::kXenVif, {3}, 10});
  Plan b = a;
  b.entries[0].cpus = {4};
  CHECK(plan_hash(a) != plan_hash(b));
}

TEST_CASE("apply_record - only runs that tried a write count as writing", "[apply_record]") {
  CHECK_FALSE(make_apply_record(result_of({Outcome::kUnchanged, Outcome::kGone}), nullptr, "", "u", 0).wrote());
  CHECK(make_apply_record(result_of({Outcome::kUnchanged, Outcome::kApplied}), nullptr, "", "u", 0).wrote());
  CHECK(make_apply_record(result_of({Outcome::kRefused}), nullptr, "", "u", 0).wrote());
}

TEST_CASE("apply_record - the audit line is one line of key=value words", "[apply_record]") {
  ApplyRecord r = make_apply_record(result_of({Outcome::kApplied}), nullptr, "pol1-9", "bob smith", 0);
  r.action = "rollback";
  CHECK(audit_line(r) == "irqfleet rollback host=dom0-07 user=bob_smith policy_hash=pol1-9 plan_hash=- exit=0 applied=1");
}

TEST_CASE("apply_record - unknown keys and a wrong schema are errors with a place", "[apply_record]") {
  auto bad = parse_apply_record("schema = \"irqfleet.apply-record/1\"\nsurprise = 1\n", "x.toml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().to_string().find("x.toml:2") != std::string::npos);
  auto other = parse_apply_record("schema = \"irqfleet.plan/1\"\n", "y.toml");
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().to_string().find("unsupported") != std::string::npos);
}

TEST_CASE("apply_record - who: --by, else SUDO_USER", "[apply_record]") {
  CHECK(audit_user("ctl@ops") == "ctl@ops");
  ::setenv("SUDO_USER", "carol", 1);
  CHECK(audit_user("") == "carol");
  ::unsetenv("SUDO_USER");
  CHECK_FALSE(audit_user("").empty());
}

}  // namespace irqfleet

TEST_CASE("apply_record - a user's name from the text of /etc/passwd, without NSS") {
  const std::string passwd = "root:x:0:0:root:/root:/bin/bash\n"
                             "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
                             "broken line\n"
                             "alice:x:1000:1000:Alice:/home/alice:/bin/sh";
  CHECK(irqfleet::passwd_name(passwd, 0) == "root");
  CHECK(irqfleet::passwd_name(passwd, 1000) == "alice");
  CHECK_FALSE(irqfleet::passwd_name(passwd, 100).has_value());
  CHECK_FALSE(irqfleet::passwd_name(passwd, 10).has_value());   // not the "1000" of alice, nor gid fields
  CHECK_FALSE(irqfleet::passwd_name("", 0).has_value());
}
